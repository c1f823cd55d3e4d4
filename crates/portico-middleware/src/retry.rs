//! Traefik's `retry`: send a request again when the backend could not be reached
//! or answered a retryable status.
//!
//! Up to `attempts` tries in all, as Traefik v3 does:
//!
//! - **network errors** (unless disabled): the proxy could not connect, so the
//!   backend never saw the request (Portico's own error responses carry a
//!   [`portico_core::FailureInfo`] saying so). This is retried for every method,
//!   as it cannot cause a duplicate. A backend that failed *after* receiving the
//!   request (reset, timeout) is never retried this way;
//! - **statuses** (`status`): a response whose status is in the ranges is dropped
//!   and the request sent again, only for idempotent methods unless
//!   `retryNonIdempotentMethod` is set (`POST`, `PATCH` and `LOCK` are not
//!   idempotent);
//! - the last attempt's response, or any response once `timeout` has passed since
//!   the first attempt, is returned as it is.
//!
//! Between attempts the layer waits Traefik's exponential backoff: starting at
//! `initial_interval`, multiplied by `2^(1/(attempts-1))` each time (so the last
//! wait is about twice the first), each wait randomized by ±50%; no wait when the
//! interval is zero.
//!
//! The request body is kept for replay up to `max_request_body_bytes` (2 MiB by
//! default); a larger body is streamed to a single attempt, never retried (the
//! bytes already sent cannot be replayed). Bodiless requests cost no buffering.
//! Upgrade requests (WebSocket) are never retried.
//!
//! The layer works on `http::Request<portico_core::Body>` (axum's body type).
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use axum::{Router, routing::get};
//! use portico_middleware::retry::RetryLayer;
//!
//! let layer = RetryLayer::new(4)
//!     .initial_interval(Duration::from_millis(100))
//!     .retry_statuses(vec![(502, 504)]);
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use http::{Method, Request, Response, StatusCode, header};
use portico_core::{Body, Collected, FailureInfo, collect_up_to};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use crate::ip_allow_list::status_text;

/// Traefik's `RetryDefaultMaxRequestBodyBytes`.
const DEFAULT_MAX_BODY: u64 = 2 * 1024 * 1024;

/// Retries failed requests; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct RetryLayer {
    config: Arc<Config>,
}

#[derive(Clone, Debug)]
struct Config {
    attempts: u32,
    initial_interval: Duration,
    timeout: Duration,
    max_body: Option<u64>,
    statuses: Vec<(u16, u16)>,
    network: bool,
    non_idempotent: bool,
}

/// The service made by [`RetryLayer`].
#[derive(Clone, Debug)]
pub struct Retry<S> {
    inner: S,
    config: Arc<Config>,
}

// === impl RetryLayer ===

impl RetryLayer {
    /// Up to `attempts` tries (the first included; 1 means no retry), on network
    /// errors only, without waiting between them.
    pub fn new(attempts: u32) -> Self {
        RetryLayer {
            config: Arc::new(Config {
                attempts: attempts.max(1),
                initial_interval: Duration::ZERO,
                timeout: Duration::ZERO,
                max_body: Some(DEFAULT_MAX_BODY),
                statuses: Vec::new(),
                network: true,
                non_idempotent: false,
            }),
        }
    }

    fn with(self, change: impl FnOnce(&mut Config)) -> Self {
        let mut config = (*self.config).clone();
        change(&mut config);
        RetryLayer {
            config: Arc::new(config),
        }
    }

    /// The first backoff wait (`initialInterval`; zero: retry at once).
    pub fn initial_interval(self, interval: Duration) -> Self {
        self.with(|c| c.initial_interval = interval)
    }

    /// No new attempt once this long has passed since the first (`timeout`;
    /// zero: no limit).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with(|c| c.timeout = timeout)
    }

    /// The largest request body kept for replay (`maxRequestBodyBytes`; `None`:
    /// no limit).
    pub fn max_request_body_bytes(self, max: Option<u64>) -> Self {
        self.with(|c| c.max_body = max)
    }

    /// Inclusive status ranges that are retried (`status`).
    pub fn retry_statuses(self, ranges: Vec<(u16, u16)>) -> Self {
        self.with(|c| c.statuses = ranges)
    }

    /// Whether unreachable backends are retried (default true;
    /// `disableRetryOnNetworkError` sets it to false).
    pub fn retry_network_errors(self, retry: bool) -> Self {
        self.with(|c| c.network = retry)
    }

    /// Whether retryable statuses also retry `POST`, `PATCH` and `LOCK`
    /// (`retryNonIdempotentMethod`, default false).
    pub fn retry_non_idempotent(self, retry: bool) -> Self {
        self.with(|c| c.non_idempotent = retry)
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Retry {
            inner,
            config: self.config.clone(),
        }
    }
}

// === impl Retry ===

impl<S> Retry<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ResB> Service<Request<Body>> for Retry<S>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    ResB: From<&'static str> + Send + 'static,
{
    type Response = Response<ResB>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResB>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let config = self.config.clone();
        let idempotent = !(request.method() == Method::POST
            || request.method() == Method::PATCH
            || request.method().as_str() == "LOCK");
        let statuses: &[(u16, u16)] = if idempotent || config.non_idempotent {
            &config.statuses
        } else {
            &[]
        };
        let upgrade =
            request.headers().contains_key(header::UPGRADE) || request.method() == Method::CONNECT;
        if config.attempts <= 1 || upgrade || (statuses.is_empty() && !config.network) {
            let future = self.inner.call(request);
            return Box::pin(future);
        }
        let statuses = statuses.to_vec();
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(retry(inner, config, statuses, request))
    }
}

async fn retry<S, ResB>(
    mut inner: S,
    config: Arc<Config>,
    statuses: Vec<(u16, u16)>,
    request: Request<Body>,
) -> Result<Response<ResB>, Infallible>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = Infallible>,
    ResB: From<&'static str>,
{
    let (parts, body) = request.into_parts();
    let buffered = match collect_up_to(body, config.max_body).await {
        Ok(Collected::Whole(buffered)) => buffered,
        Ok(Collected::Partial(read, rest)) => {
            tracing::debug!("request body too large to replay: not retried");
            let request = Request::from_parts(parts, read.then(rest));
            return inner.ready().await?.call(request).await;
        }
        Err(error) => {
            tracing::debug!(%error, "reading the request body for retries failed");
            return Ok(status_text(StatusCode::INTERNAL_SERVER_ERROR));
        }
    };
    let start = Instant::now();
    let mut backoff = Backoff::new(config.initial_interval, config.attempts);
    let mut attempt = 1;
    loop {
        let request = Request::from_parts(parts.clone(), buffered.body());
        let response = inner.ready().await?.call(request).await?;
        let timed_out = !config.timeout.is_zero() && start.elapsed() >= config.timeout;
        if attempt >= config.attempts || timed_out {
            return Ok(response);
        }
        let unreachable = response
            .extensions()
            .get::<FailureInfo>()
            .is_some_and(|f| f.retryable);
        let status = response.status().as_u16();
        let retryable = (config.network && unreachable)
            || statuses
                .iter()
                .any(|(low, high)| (*low..=*high).contains(&status));
        if !retryable {
            return Ok(response);
        }
        drop(response);
        attempt += 1;
        tracing::debug!(attempt, status, "retrying request");
        let wait = backoff.next();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// cenkalti/backoff's `ExponentialBackOff` as Traefik configures it.
#[derive(Debug)]
struct Backoff {
    current: Duration,
    multiplier: f64,
}

impl Backoff {
    fn new(initial: Duration, attempts: u32) -> Backoff {
        let multiplier = if attempts < 2 {
            1.0
        } else {
            2f64.powf(1.0 / f64::from(attempts - 1))
        };
        Backoff {
            current: initial,
            multiplier,
        }
    }

    /// The next wait: the current interval ±50%, then the interval grows (up to
    /// Traefik's 60s maximum).
    fn next(&mut self) -> Duration {
        if self.current.is_zero() {
            return Duration::ZERO;
        }
        let delta = 0.5 * self.current.as_secs_f64();
        let min = self.current.as_secs_f64() - delta;
        let wait = min + fastrand::f64() * (2.0 * delta);
        let grown = self.current.as_secs_f64() * self.multiplier;
        self.current = Duration::from_secs_f64(grown.min(60.0));
        Duration::from_secs_f64(wait.min(90.0))
    }
}

#[cfg(test)]
mod tests;
