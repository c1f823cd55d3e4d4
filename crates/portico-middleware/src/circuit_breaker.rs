//! Traefik's `circuitBreaker`: stop calling a failing service for a while.
//!
//! A port of vulcand/oxy's `cbreaker`, which Traefik uses. The breaker watches the
//! responses of the service it wraps (status and time to response headers) over a
//! rolling 10-second window and evaluates its expression every `check_period`:
//!
//! - `NetworkErrorRatio()`: share of `502`/`504` responses;
//! - `ResponseCodeRatio(a, b, c, d)`: responses with a status in `[a, b)` over
//!   those in `[c, d)` (0 when there are none of the latter);
//! - `LatencyAtQuantileMS(q)`: the latency at quantile `q` (percent) in whole
//!   milliseconds, over the last minute;
//! - `RequestThreshold()`: the number of requests in the window, to require a
//!   minimum before tripping (`... && RequestThreshold() >= 20`);
//!
//! compared with `==`, `!=`, `<`, `<=`, `>`, `>=` and combined with `&&`, `||` and
//! parentheses.
//!
//! States, as in oxy:
//! - **standby**: requests pass; when the expression holds, the breaker trips and
//!   the metrics are reset;
//! - **tripped**: every request is answered with the fallback status (503 by
//!   default, its reason phrase as body) for `fallback_duration`;
//! - **recovering**: for `recovery_duration`, a growing share of requests is let
//!   through (`0.5 × elapsed / recovery_duration` of them, then all); the
//!   expression is still checked and trips the breaker again if it holds. After
//!   the recovery duration the breaker is back in standby.
//!
//! Only what happens after the breaker in the chain counts, and each layer has its
//! own state (Traefik builds one breaker per router).
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::circuit_breaker::CircuitBreakerLayer;
//!
//! let layer = CircuitBreakerLayer::new("NetworkErrorRatio() > 0.5 || LatencyAtQuantileMS(50.0) > 100")
//!     .expect("a valid expression")
//!     .fallback_duration(std::time::Duration::from_secs(5));
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

pub(crate) mod expression;
mod metrics;

use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll, ready},
    time::Duration,
};

use http::{Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tokio::time::Instant;
use tower::{Layer, Service};

pub use self::expression::ExpressionError;
use self::{
    expression::{Call, Expr, Function, Kind, Value},
    metrics::Metrics,
};
use crate::ip_allow_list::status_text;

/// The functions of the circuit-breaker expression language.
const FUNCTIONS: [Function; 4] = [
    Function {
        name: "NetworkErrorRatio",
        args: 0,
        kind: Kind::Number,
    },
    Function {
        name: "ResponseCodeRatio",
        args: 4,
        kind: Kind::Number,
    },
    Function {
        name: "LatencyAtQuantileMS",
        args: 1,
        kind: Kind::Number,
    },
    Function {
        name: "RequestThreshold",
        args: 0,
        kind: Kind::Number,
    },
];

/// A circuit breaker; see the [module docs](self).
///
/// Services made by one layer share one breaker.
#[derive(Clone, Debug)]
pub struct CircuitBreakerLayer {
    config: Arc<Config>,
    breaker: Arc<Mutex<Breaker>>,
}

#[derive(Debug)]
struct Config {
    expression: Expr,
    check_period: Duration,
    fallback_duration: Duration,
    recovery_duration: Duration,
    fallback_status: StatusCode,
}

/// The state of a breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Requests pass; the expression is watched.
    Standby,
    /// Every request gets the fallback response.
    Tripped,
    /// Some requests pass, more and more.
    Recovering,
}

#[derive(Debug)]
struct Breaker {
    state: BreakerState,
    until: Instant,
    metrics: Metrics,
    next_check: Option<Instant>,
    allowed: u64,
    denied: u64,
    recovering_since: Instant,
}

/// The service made by [`CircuitBreakerLayer`].
#[derive(Clone, Debug)]
pub struct CircuitBreaker<S> {
    inner: S,
    config: Arc<Config>,
    breaker: Arc<Mutex<Breaker>>,
}

pin_project! {
    /// The response future of [`CircuitBreaker`].
    #[derive(Debug)]
    pub struct CircuitBreakerFuture<F, B> {
        #[pin]
        future: Option<F>,
        fallback: Option<Response<B>>,
        started: Instant,
        config: Arc<Config>,
        breaker: Arc<Mutex<Breaker>>,
    }
}

// === impl CircuitBreakerLayer ===

impl CircuitBreakerLayer {
    /// A breaker tripping on `expression`, with Traefik's defaults: checked every
    /// 100ms, open for 10s, recovering for 10s, answering 503 while open.
    pub fn new(expression: &str) -> Result<Self, ExpressionError> {
        let expression = Expr::parse(expression, &FUNCTIONS)?;
        Ok(Self::from_config(Config {
            expression,
            check_period: Duration::from_millis(100),
            fallback_duration: Duration::from_secs(10),
            recovery_duration: Duration::from_secs(10),
            fallback_status: StatusCode::SERVICE_UNAVAILABLE,
        }))
    }

    fn from_config(config: Config) -> Self {
        let now = Instant::now();
        CircuitBreakerLayer {
            config: Arc::new(config),
            breaker: Arc::new(Mutex::new(Breaker {
                state: BreakerState::Standby,
                until: now,
                metrics: Metrics::new(now),
                next_check: None,
                allowed: 0,
                denied: 0,
                recovering_since: now,
            })),
        }
    }

    fn with(self, change: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config {
            expression: self.config.expression.clone(),
            ..*self.config
        };
        change(&mut config);
        Self::from_config(config)
    }

    /// Time between two evaluations of the expression (`checkPeriod`).
    pub fn check_period(self, period: Duration) -> Self {
        self.with(|c| c.check_period = period)
    }

    /// Time spent tripped before recovering (`fallbackDuration`).
    pub fn fallback_duration(self, duration: Duration) -> Self {
        self.with(|c| c.fallback_duration = duration)
    }

    /// Time spent recovering (`recoveryDuration`).
    pub fn recovery_duration(self, duration: Duration) -> Self {
        self.with(|c| c.recovery_duration = duration)
    }

    /// The status answered while tripped (`responseCode`).
    pub fn fallback_status(self, status: StatusCode) -> Self {
        self.with(|c| c.fallback_status = status)
    }

    /// A breaker with the same settings and a fresh state (standby, no metrics),
    /// for another router.
    pub fn with_fresh_state(&self) -> Self {
        Self::from_config(Config {
            expression: self.config.expression.clone(),
            ..*self.config
        })
    }

    /// The breaker's current state.
    pub fn state(&self) -> BreakerState {
        lock(&self.breaker).state
    }
}

impl<S> Layer<S> for CircuitBreakerLayer {
    type Service = CircuitBreaker<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreaker {
            inner,
            config: self.config.clone(),
            breaker: self.breaker.clone(),
        }
    }
}

fn lock(breaker: &Mutex<Breaker>) -> std::sync::MutexGuard<'_, Breaker> {
    breaker.lock().unwrap_or_else(PoisonError::into_inner)
}

// === impl Breaker ===

impl Breaker {
    /// Whether a request may pass now (oxy's `activateFallback`, negated).
    fn admit(&mut self, config: &Config, now: Instant) -> bool {
        match self.state {
            BreakerState::Standby => return true,
            BreakerState::Tripped if now < self.until => return false,
            BreakerState::Tripped => {
                self.state = BreakerState::Recovering;
                self.until = now + config.recovery_duration;
                self.recovering_since = now;
                self.allowed = 0;
                self.denied = 0;
            }
            BreakerState::Recovering => {}
        }
        if now > self.until {
            tracing::info!("circuit breaker back to standby");
            self.state = BreakerState::Standby;
            self.until = now;
            return true;
        }
        // The ratio controller: would letting this one through keep the share of
        // allowed requests under the target?
        let elapsed = now.saturating_duration_since(self.recovering_since);
        let target = 0.5 * elapsed.as_secs_f64() / config.recovery_duration.as_secs_f64().max(1e-9);
        let share = (self.allowed + 1) as f64 / (self.allowed + self.denied + 1) as f64;
        if share < target {
            self.allowed += 1;
            true
        } else {
            self.denied += 1;
            false
        }
    }

    /// Records a response and evaluates the expression when it is time (oxy's
    /// `checkAndSet`).
    fn record(&mut self, config: &Config, status: u16, latency: Duration, now: Instant) {
        self.metrics.record(status, latency, now);
        if self.next_check.is_some_and(|at| now <= at) {
            return;
        }
        self.next_check = Some(now + config.check_period);
        if self.state == BreakerState::Tripped {
            return;
        }
        let metrics = &self.metrics;
        let holds = config
            .expression
            .eval(&mut |call: &Call| value(metrics, call, now));
        if holds {
            tracing::warn!(state = ?self.state, "circuit breaker tripped");
            self.state = BreakerState::Tripped;
            self.until = now + config.fallback_duration;
            self.metrics.reset();
        }
    }
}

fn value(metrics: &Metrics, call: &Call, now: Instant) -> Value {
    let arg = |i: usize| call.args.get(i).copied().unwrap_or(0.0);
    Value::Number(match FUNCTIONS[call.function].name {
        "NetworkErrorRatio" => metrics.network_error_ratio(now),
        "ResponseCodeRatio" => metrics.response_code_ratio(arg(0), arg(1), arg(2), arg(3), now),
        "LatencyAtQuantileMS" => metrics.latency_at_quantile_ms(arg(0)) as f64,
        _ => metrics.total(now) as f64,
    })
}

// === impl CircuitBreaker ===

impl<S> CircuitBreaker<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for CircuitBreaker<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
    ResB: From<&'static str>,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = CircuitBreakerFuture<S::Future, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        let now = Instant::now();
        let admitted = lock(&self.breaker).admit(&self.config, now);
        let (future, fallback) = if admitted {
            (Some(self.inner.call(request)), None)
        } else {
            (None, Some(status_text(self.config.fallback_status)))
        };
        CircuitBreakerFuture {
            future,
            fallback,
            started: now,
            config: self.config.clone(),
            breaker: self.breaker.clone(),
        }
    }
}

impl<F, B, E> Future for CircuitBreakerFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(response) = this.fallback.take() {
            return Poll::Ready(Ok(response));
        }
        let Some(future) = this.future.as_pin_mut() else {
            return Poll::Pending;
        };
        let result = ready!(future.poll(cx));
        if let Ok(response) = &result {
            let now = Instant::now();
            let latency = now.saturating_duration_since(*this.started);
            lock(this.breaker).record(this.config, response.status().as_u16(), latency, now);
        }
        Poll::Ready(result)
    }
}

#[cfg(test)]
mod tests;
