//! Traefik's `rateLimit`: a token bucket per source.
//!
//! Each source (by default the client IP; see
//! [`SourceCriterion`](crate::client_ip::SourceCriterion)) gets a bucket of
//! `burst` tokens that refills at `average / period` tokens per second. A request
//! takes one token. As in Traefik (`golang.org/x/time/rate` reservations), a
//! request that would have to wait at most `1 / (2 × rate)` (500ms for rates below
//! one per second) is delayed that long and then served; a longer wait is answered
//! `429 Too Many Requests` with `Retry-After` (whole seconds, rounded up) and
//! `X-Retry-In` (Go's duration format) without calling the inner service. An
//! `average` of 0 disables the limit.
//!
//! Memory is bounded: buckets live in two generations of at most
//! `max_sources / 2` entries each (65,536 in all by default, Traefik's cap). A
//! generation is dropped once its buckets have been idle long enough to be full
//! again (so dropping them changes nothing), or early when a flood of new sources
//! fills the current one, in which case some sources start again from a full
//! bucket. Sources are keyed by a randomly keyed 64-bit hash, so a long header
//! value costs no more than an IP.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use axum::{Router, routing::get};
//! use portico_middleware::{client_ip::{IpStrategy, SourceCriterion}, rate_limit::RateLimitLayer};
//!
//! // 100 requests per second per client IP, bursts of 50.
//! let layer = RateLimitLayer::new(100, Duration::from_secs(1), 50, SourceCriterion::Ip(IpStrategy::peer()));
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

mod buckets;
mod future;

use std::{
    hash::BuildHasher,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use http::{HeaderValue, Request, Response, StatusCode};
use tokio::time::Instant;
use tower::{Layer, Service};

use self::buckets::{Buckets, Decision};
pub use self::future::RateLimitFuture;
use crate::{client_ip::SourceCriterion, ip_allow_list::status_text};

/// Traefik's `maxSources`.
const DEFAULT_MAX_SOURCES: usize = 65_536;

/// Limits each source's request rate; see the [module docs](self).
///
/// Every service made by one layer shares the same buckets.
#[derive(Clone, Debug)]
pub struct RateLimitLayer {
    shared: Option<Arc<Shared>>,
}

#[derive(Debug)]
struct Shared {
    criterion: SourceCriterion,
    hasher: std::collections::hash_map::RandomState,
    buckets: Mutex<Buckets>,
}

/// The service made by [`RateLimitLayer`].
#[derive(Clone, Debug)]
pub struct RateLimit<S> {
    inner: S,
    shared: Option<Arc<Shared>>,
}

// === impl RateLimitLayer ===

impl RateLimitLayer {
    /// `average` requests per `period` per source, in bursts of up to `burst`
    /// (at least 1). An `average` of 0 or a zero `period` means no limit.
    pub fn new(average: u64, period: Duration, burst: u64, criterion: SourceCriterion) -> Self {
        if average == 0 || period.is_zero() {
            return RateLimitLayer { shared: None };
        }
        let rate = average as f64 / period.as_secs_f64();
        RateLimitLayer {
            shared: Some(Arc::new(Shared {
                criterion,
                hasher: Default::default(),
                buckets: Mutex::new(Buckets::new(rate, burst.max(1) as f64, DEFAULT_MAX_SOURCES)),
            })),
        }
    }

    /// Keeps at most `max` sources' buckets (default 65,536).
    pub fn max_sources(self, max: usize) -> Self {
        if let Some(shared) = &self.shared
            && let Ok(mut buckets) = shared.buckets.lock()
        {
            buckets.set_capacity(max.max(2));
        }
        self
    }

    /// How many sources currently have a bucket (for tests and metrics).
    pub fn tracked_sources(&self) -> usize {
        self.shared.as_ref().map_or(0, |s| {
            s.buckets
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len()
        })
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            shared: self.shared.clone(),
        }
    }
}

// === impl RateLimit ===

impl<S> RateLimit<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B, ResB> Service<Request<B>> for RateLimit<S>
where
    S: Service<Request<B>, Response = Response<ResB>> + Clone,
    ResB: From<&'static str>,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = RateLimitFuture<S, Request<B>, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let Some(shared) = &self.shared else {
            return RateLimitFuture::inner(self.inner.call(request));
        };
        let key = shared.hasher.hash_one(shared.criterion.source(&request));
        let decision = shared
            .buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(key, Instant::now());
        match decision {
            Decision::Now => RateLimitFuture::inner(self.inner.call(request)),
            Decision::After(wait) => {
                // The ready service is used later; a clone takes its place.
                let clone = self.inner.clone();
                let service = std::mem::replace(&mut self.inner, clone);
                RateLimitFuture::delayed(wait, service, request)
            }
            Decision::Reject(wait) => {
                tracing::debug!(?wait, "rate limited");
                RateLimitFuture::rejected(too_many_requests(wait))
            }
        }
    }
}

/// Traefik's 429: `Retry-After` in whole seconds (rounded up), `X-Retry-In` in
/// Go's duration format.
fn too_many_requests<B: From<&'static str>>(wait: Duration) -> Response<B> {
    let mut response = status_text(StatusCode::TOO_MANY_REQUESTS);
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let headers = response.headers_mut();
    headers.insert(http::header::RETRY_AFTER, HeaderValue::from(secs));
    if let Ok(value) = HeaderValue::from_str(&go_duration(wait)) {
        headers.insert("x-retry-in", value);
    }
    response
}

/// Formats `d` as Go's `time.Duration.String` does (`1.5s`, `250ms`, `1m2s`).
pub(crate) fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    let fraction = |value: u128, unit: u128, suffix: &str| {
        let whole = value / unit;
        let rest = value % unit;
        if rest == 0 {
            return format!("{whole}{suffix}");
        }
        let digits = unit.ilog10() as usize;
        let text = format!("{rest:0digits$}");
        format!("{whole}.{}{suffix}", text.trim_end_matches('0'))
    };
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return fraction(nanos, 1_000, "µs");
    }
    if nanos < 1_000_000_000 {
        return fraction(nanos, 1_000_000, "ms");
    }
    let secs_nanos = nanos % 60_000_000_000;
    let minutes = nanos / 60_000_000_000;
    let seconds = fraction(secs_nanos, 1_000_000_000, "s");
    match (minutes / 60, minutes % 60) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

#[cfg(test)]
mod tests;
