//! Stale keep-alive safety: one retry when a pooled connection turns out closed.
//!
//! A backend may close an idle keep-alive connection at the moment Portico sends a
//! request on it. hyper-util's own `retry_canceled_requests` (on by default)
//! covers the case where the connection is seen closed *before* the request is
//! written: the request comes back unsent and goes out on another connection.
//! What it does not cover is the request being written and the connection then
//! closed or reset without a response (`IncompleteMessage`, `ECONNRESET`,
//! `EPIPE`). For requests that are idempotent, carry no body and do not switch
//! protocols, that case is retried here once, on a fresh connection.

use http::{HeaderMap, Method, Uri, Version};
use http_body::Body as _;
use hyper_util::client::legacy::Error as ClientError;
use portico_core::{Body, HttpRequest};
use std::io;
use tokio::time::Instant;

use crate::transport::Established;

/// What is needed to send a request again.
#[derive(Debug)]
pub(crate) struct Replay {
    method: Method,
    uri: Uri,
    version: Version,
    headers: HeaderMap,
}

// === impl Replay ===

impl Replay {
    /// A copy of `request` when it may be sent twice: an idempotent method and an
    /// empty body. The caller never asks for requests that switch protocols.
    pub(crate) fn of(request: &HttpRequest) -> Option<Replay> {
        let body = request.body();
        let empty = body.is_end_stream() || body.size_hint().exact() == Some(0);
        if !empty || !is_idempotent(request.method()) {
            return None;
        }
        Some(Replay {
            method: request.method().clone(),
            uri: request.uri().clone(),
            version: request.version(),
            headers: request.headers().clone(),
        })
    }

    /// The request again, with an empty body.
    pub(crate) fn into_request(self) -> HttpRequest {
        let mut request = HttpRequest::new(Body::empty());
        *request.method_mut() = self.method;
        *request.uri_mut() = self.uri;
        *request.version_mut() = self.version;
        *request.headers_mut() = self.headers;
        request
    }
}

/// RFC 9110 §9.2.2's idempotent methods.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

/// Whether `error` means a connection reused from the pool (made before
/// `started`) was closed by the backend before it answered.
pub(crate) fn is_stale_connection(error: &ClientError, started: Instant) -> bool {
    if error.is_connect() {
        return false;
    }
    let reused = error.connect_info().is_some_and(|connected| {
        let mut extras = http::Extensions::new();
        connected.get_extras(&mut extras);
        extras
            .get::<Established>()
            .is_some_and(|Established(at)| *at < started)
    });
    reused && closed_before_answer(error)
}

/// Whether `error` or its causes say the connection was closed or reset.
pub(crate) fn closed_before_answer(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(cause) = source {
        if cause
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
        {
            return true;
        }
        if cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| is_closed(io.kind()))
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Whether an I/O error kind means the peer closed or reset the connection.
pub(crate) fn is_closed(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, body: Body) -> HttpRequest {
        let mut r = HttpRequest::new(body);
        *r.method_mut() = method;
        *r.uri_mut() = "http://a:1/x?y".parse().unwrap();
        r.headers_mut().insert("x-k", "v".parse().unwrap());
        r
    }

    #[test]
    fn only_idempotent_bodiless_requests_replay() {
        for method in [
            Method::GET,
            Method::HEAD,
            Method::OPTIONS,
            Method::TRACE,
            Method::PUT,
            Method::DELETE,
        ] {
            assert!(
                Replay::of(&request(method.clone(), Body::empty())).is_some(),
                "{method}"
            );
        }
        assert!(Replay::of(&request(Method::POST, Body::empty())).is_none());
        assert!(Replay::of(&request(Method::PATCH, Body::empty())).is_none());
        assert!(Replay::of(&request(Method::PUT, Body::from("x"))).is_none());
        // An empty full body is still empty.
        assert!(Replay::of(&request(Method::PUT, Body::from(""))).is_some());
    }

    #[test]
    fn replay_rebuilds_the_request() {
        let replay = Replay::of(&request(Method::DELETE, Body::empty())).unwrap();
        let again = replay.into_request();
        assert_eq!(again.method(), Method::DELETE);
        assert_eq!(again.uri(), "http://a:1/x?y");
        assert_eq!(again.headers()["x-k"], "v");
        assert!(again.body().is_end_stream());
    }
}
