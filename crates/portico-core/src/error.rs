//! Data-plane failures and their one mapping to HTTP statuses.

use http::StatusCode;

use crate::{HttpResponse, respond};

/// A boxed error, used only at stack boundaries.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Whose fault a failure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorSide {
    /// The client sent something unusable or went away.
    Downstream,
    /// The backend could not be reached or misbehaved.
    Upstream,
    /// Portico itself (configuration, no route, no server).
    Internal,
}

/// Marks a response Portico wrote itself for a [`ProxyError`] (found in the
/// response extensions), so layers above the proxy (retry, circuit breaker,
/// access logs) can tell it from a backend's answer with the same status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailureInfo {
    /// Whose fault the failure is.
    pub side: ErrorSide,
    /// Whether the backend never saw the request ([`ProxyError::is_retryable`]).
    pub retryable: bool,
}

/// Every failure the data plane answers with a synthetic response.
///
/// [`ProxyError::status`] is the single place where failures become HTTP statuses,
/// as Traefik defines them: no healthy server 503, backend unreachable 502, backend
/// timeout 504, client gone 499.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The service has no server to send the request to.
    #[error("no available server")]
    NoAvailableServer,
    /// Connecting to the backend failed.
    #[error("cannot connect to backend {authority}")]
    UpstreamConnect {
        /// The backend's `host:port`.
        authority: String,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// The backend did not answer in time (dial or response-header timeout).
    #[error("backend {authority} timed out")]
    UpstreamTimeout {
        /// The backend's `host:port`.
        authority: String,
    },
    /// The exchange with the backend failed after the connection was made.
    #[error("request to backend {authority} failed")]
    Upstream {
        /// The backend's `host:port`.
        authority: String,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// The client went away before the response was ready.
    #[error("client closed request")]
    ClientClosed,
    /// The request cannot be forwarded as it is.
    #[error("bad request: {reason}")]
    BadRequest {
        /// Why, lower case.
        reason: &'static str,
    },
}

// === impl ProxyError ===

impl ProxyError {
    /// The HTTP status this failure is answered with.
    ///
    /// # Example
    ///
    /// ```
    /// use portico_core::ProxyError;
    /// let e = ProxyError::UpstreamTimeout { authority: "10.0.0.1:80".into() };
    /// assert_eq!(e.status(), 504);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            ProxyError::NoAvailableServer => StatusCode::SERVICE_UNAVAILABLE,
            ProxyError::UpstreamConnect { .. } | ProxyError::Upstream { .. } => {
                StatusCode::BAD_GATEWAY
            }
            ProxyError::UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            ProxyError::ClientClosed => client_closed_request(),
            ProxyError::BadRequest { .. } => StatusCode::BAD_REQUEST,
        }
    }

    /// Whose fault the failure is.
    pub fn side(&self) -> ErrorSide {
        match self {
            ProxyError::NoAvailableServer => ErrorSide::Internal,
            ProxyError::UpstreamConnect { .. }
            | ProxyError::UpstreamTimeout { .. }
            | ProxyError::Upstream { .. } => ErrorSide::Upstream,
            ProxyError::ClientClosed | ProxyError::BadRequest { .. } => ErrorSide::Downstream,
        }
    }

    /// Whether sending the same request again (to another server) may succeed:
    /// true when the backend never saw the request.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ProxyError::UpstreamConnect { .. })
    }

    /// The response Portico answers this failure with (Traefik's bodies), marked
    /// with a [`FailureInfo`] extension.
    pub fn into_response(self) -> HttpResponse {
        let info = FailureInfo {
            side: self.side(),
            retryable: self.is_retryable(),
        };
        let body = match &self {
            ProxyError::NoAvailableServer => "no available server",
            ProxyError::UpstreamConnect { .. } | ProxyError::Upstream { .. } => "Bad Gateway",
            ProxyError::UpstreamTimeout { .. } => "Gateway Timeout",
            ProxyError::ClientClosed => "Client Closed Request",
            ProxyError::BadRequest { .. } => "Bad Request",
        };
        let mut response = respond::text(self.status(), body);
        response.extensions_mut().insert(info);
        response
    }
}

/// nginx's and Traefik's non-standard 499 "client closed request".
fn client_closed_request() -> StatusCode {
    // 499 is within 100..=999, so `from_u16` cannot fail; fall back defensively.
    StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_traefik() {
        let boxed = || -> BoxError { "x".into() };
        let cases = [
            (ProxyError::NoAvailableServer, 503),
            (
                ProxyError::UpstreamConnect {
                    authority: "a:1".into(),
                    source: boxed(),
                },
                502,
            ),
            (
                ProxyError::Upstream {
                    authority: "a:1".into(),
                    source: boxed(),
                },
                502,
            ),
            (
                ProxyError::UpstreamTimeout {
                    authority: "a:1".into(),
                },
                504,
            ),
            (ProxyError::ClientClosed, 499),
            (ProxyError::BadRequest { reason: "x" }, 400),
        ];
        for (err, status) in cases {
            assert_eq!(err.status().as_u16(), status, "{err}");
            assert_eq!(err.into_response().status().as_u16(), status);
        }
    }

    #[test]
    fn only_unsent_requests_are_retryable() {
        let connect = ProxyError::UpstreamConnect {
            authority: "a:1".into(),
            source: "refused".into(),
        };
        assert!(connect.is_retryable());
        let marked = ProxyError::UpstreamConnect {
            authority: "a:1".into(),
            source: "refused".into(),
        }
        .into_response();
        assert_eq!(
            marked.extensions().get::<FailureInfo>(),
            Some(&FailureInfo {
                side: ErrorSide::Upstream,
                retryable: true
            })
        );
        assert!(
            !ProxyError::UpstreamTimeout {
                authority: "a:1".into()
            }
            .is_retryable()
        );
        assert_eq!(connect.side(), ErrorSide::Upstream);
    }
}
