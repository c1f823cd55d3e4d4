//! Traefik's `failover` service: the main service while it is up, else the fallback.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use http::{Request, StatusCode};
use portico_core::{
    BoxHttpService, Collected, HttpRequest, HttpResponse, ProxyError, collect_up_to,
};
use tower::{Service, ServiceExt};

use crate::{DEFAULT_MAX_BODY_BYTES, ServiceHealth};

type BoxFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

/// Traefik's `failover` service: the main service while it is up, else the
/// fallback.
///
/// **By health.** Each request goes to the main service while its
/// [`ServiceHealth`] is up, to the fallback while the main one is down, and back
/// to the main one as soon as it is up again; with both down the answer is `503
/// no available server`. (A child without health checks is always up, so the
/// fallback then only serves the status-triggered replays below.)
///
/// **By status** (`errors.status`, Traefik v3.7). When the main service answers
/// a status in one of the ranges, its response is dropped and the request is
/// replayed to the fallback, whose answer the client gets. To replay it, the
/// request body is read into memory first, up to `errors.maxRequestBodyBytes`
/// (Traefik's default -1 is unbounded; Portico uses
/// [`DEFAULT_MAX_BODY_BYTES`](crate::DEFAULT_MAX_BODY_BYTES) when none is
/// configured). A body announcing a larger `Content-Length` is not read at all
/// and one that turns out larger is read only past the limit; either way the
/// whole body is streamed to the main service and its answer returned as it is,
/// with no replay. (Traefik answers `413` instead; Portico prefers serving the
/// request.) `101 Switching Protocols` never triggers a replay. When the fallback
/// is down at that point, the main service's answer is returned (Traefik answers
/// `503`). A body that cannot be read (the client broke off) is answered `400`.
///
/// Health: with `health_check`, up while either child is; without, always up.
///
/// # Example
///
/// ```
/// use http::StatusCode;
/// use portico_core::{Body, HttpRequest, HttpResponse, box_http_service};
/// use portico_service::{Failover, ServiceHealth};
/// use std::convert::Infallible;
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let answer = |status: StatusCode| {
///     box_http_service(tower::service_fn(move |_req: HttpRequest| async move {
///         let mut response = HttpResponse::new(Body::empty());
///         *response.status_mut() = status;
///         Ok::<_, Infallible>(response)
///     }))
/// };
/// let failover = Failover::new(
///     (answer(StatusCode::BAD_GATEWAY), ServiceHealth::always_up()),
///     (answer(StatusCode::OK), ServiceHealth::always_up()),
/// )
/// .error_statuses(vec![(500, 504)]);
/// let response = failover.oneshot(HttpRequest::new(Body::from("x"))).await.unwrap();
/// assert_eq!(response.status(), StatusCode::OK);
/// # }
/// ```
///
/// Cloning is cheap.
#[derive(Clone, Debug)]
pub struct Failover {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    main: BoxHttpService,
    main_health: ServiceHealth,
    fallback: BoxHttpService,
    fallback_health: ServiceHealth,
    /// Inclusive status ranges that trigger a replay to the fallback.
    statuses: Arc<[(u16, u16)]>,
    max_body: u64,
    health_check: bool,
}

// === impl Failover ===

impl Failover {
    /// A failover from `main` to `fallback` (each a service and its health), by
    /// health only, without health propagation.
    pub fn new(
        main: (BoxHttpService, ServiceHealth),
        fallback: (BoxHttpService, ServiceHealth),
    ) -> Failover {
        Failover {
            inner: Arc::new(Inner {
                main: main.0,
                main_health: main.1,
                fallback: fallback.0,
                fallback_health: fallback.1,
                statuses: Arc::new([]),
                max_body: DEFAULT_MAX_BODY_BYTES,
                health_check: false,
            }),
        }
    }

    /// Statuses of the main service's answers that send the request to the
    /// fallback (`errors.status`), as inclusive ranges (`"500-504"` is
    /// `(500, 504)`, `"500"` is `(500, 500)`).
    pub fn error_statuses(mut self, ranges: Vec<(u16, u16)>) -> Failover {
        Arc::make_mut(&mut self.inner).statuses = ranges.into();
        self
    }

    /// The largest body kept for a replay (`errors.maxRequestBodyBytes`); `None`
    /// (Traefik's -1) means [`DEFAULT_MAX_BODY_BYTES`].
    pub fn max_request_body_bytes(mut self, limit: Option<u64>) -> Failover {
        Arc::make_mut(&mut self.inner).max_body = limit.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        self
    }

    /// Whether the children's health is propagated (`healthCheck: {}`).
    pub fn health_check(mut self, on: bool) -> Failover {
        Arc::make_mut(&mut self.inner).health_check = on;
        self
    }

    /// The service's health: up while either child is with `health_check`, else
    /// always up.
    pub fn health(&self) -> ServiceHealth {
        if self.inner.health_check {
            ServiceHealth::any_of(vec![
                self.inner.main_health.clone(),
                self.inner.fallback_health.clone(),
            ])
        } else {
            ServiceHealth::always_up()
        }
    }
}

impl Service<HttpRequest> for Failover {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> BoxFuture {
        let inner = &self.inner;
        if !inner.main_health.is_up() {
            if inner.fallback_health.is_up() {
                tracing::trace!("main service down, using the fallback");
                return Box::pin(inner.fallback.clone().oneshot(request));
            }
            return Box::pin(async { Ok(ProxyError::NoAvailableServer.into_response()) });
        }
        if inner.statuses.is_empty() || !inner.fallback_health.is_up() {
            // Nothing to replay to: no buffering.
            return Box::pin(inner.main.clone().oneshot(request));
        }
        let inner = inner.clone();
        Box::pin(async move { inner.serve_with_replay(request).await })
    }
}

// === impl Inner ===

impl Inner {
    fn triggers_fallback(&self, status: StatusCode) -> bool {
        let code = status.as_u16();
        status != StatusCode::SWITCHING_PROTOCOLS
            && self
                .statuses
                .iter()
                .any(|(low, high)| (*low..=*high).contains(&code))
    }

    async fn serve_with_replay(&self, request: HttpRequest) -> Result<HttpResponse, Infallible> {
        let (parts, body) = request.into_parts();
        let buffered = match collect_up_to(body, Some(self.max_body)).await {
            Ok(Collected::Whole(buffered)) => buffered,
            Ok(Collected::Partial(read, rest)) => {
                tracing::debug!(limit = self.max_body, "request body too large to replay");
                return self
                    .main
                    .clone()
                    .oneshot(Request::from_parts(parts, read.then(rest)))
                    .await;
            }
            Err(error) => {
                tracing::debug!(%error, "cannot read request body");
                return Ok(ProxyError::BadRequest {
                    reason: "cannot read request body",
                }
                .into_response());
            }
        };
        let replay = parts.clone();
        let response = self
            .main
            .clone()
            .oneshot(Request::from_parts(parts, buffered.body()))
            .await?;
        if !self.triggers_fallback(response.status()) || !self.fallback_health.is_up() {
            return Ok(response);
        }
        tracing::debug!(
            status = response.status().as_u16(),
            "main service answered an error status, replaying to the fallback"
        );
        drop(response);
        self.fallback
            .clone()
            .oneshot(Request::from_parts(replay, buffered.body()))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_core::{Body, box_http_service};

    fn ok() -> (BoxHttpService, ServiceHealth) {
        let service = box_http_service(tower::service_fn(|_req: HttpRequest| async {
            Ok::<_, Infallible>(HttpResponse::new(Body::empty()))
        }));
        (service, ServiceHealth::always_up())
    }

    #[test]
    fn ranges_are_inclusive_and_101_never_triggers() {
        let failover = Failover::new(ok(), ok()).error_statuses(vec![(100, 101), (500, 504)]);
        let triggers = |code| {
            failover
                .inner
                .triggers_fallback(StatusCode::from_u16(code).unwrap())
        };
        assert!(triggers(500) && triggers(502) && triggers(504) && triggers(100));
        assert!(!triggers(505) && !triggers(499) && !triggers(200));
        assert!(!triggers(101), "a switched protocol cannot be replayed");
        let none = Failover::new(ok(), ok());
        assert!(
            !none
                .inner
                .triggers_fallback(StatusCode::INTERNAL_SERVER_ERROR)
        );
    }
}
