//! Traefik's `buffering`: read whole requests (and responses) before passing them
//! on, within size limits, and optionally replay the request.
//!
//! A port of vulcand/oxy's `buffer`, which Traefik uses:
//!
//! - the request body is read whole before the inner service is called; over
//!   `max_request_body_bytes` (by `Content-Length` or while reading) the client
//!   gets `413 Request Entity Too Large` and the inner service is never called.
//!   The request is forwarded with its exact `Content-Length`;
//! - the response body is read whole before it is sent; over
//!   `max_response_body_bytes` the client gets `500 Internal Server Error`
//!   instead;
//! - at most `mem_*_body_bytes` (1 MiB by default) of each body stay in memory:
//!   the rest spills to a temporary file, removed when the body is dropped, so
//!   memory is bounded even without a maximum;
//! - `retry_expression` (for example `IsNetworkError() && Attempts() < 2`, with
//!   `Attempts()`, `ResponseCode()` and `IsNetworkError()` — a 502 or 504 — combined
//!   by `&&`, `||`, comparisons and parentheses) replays the buffered request
//!   while it holds, up to 10 attempts;
//! - `request_buffer(false)` / `response_buffer(false)` stream that side instead
//!   (`disableRequestBuffer`, `disableResponseBuffer`); an unbuffered request body
//!   still gets its 413 from `Content-Length`, and is cut when it grows past the
//!   maximum.
//!
//! The layer works on `http::Request<portico_core::Body>` (axum's body type).
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::buffering::BufferingLayer;
//!
//! let layer = BufferingLayer::new()
//!     .max_request_body_bytes(2_000_000)
//!     .retry_expression("IsNetworkError() && Attempts() < 2")
//!     .expect("a valid expression");
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

mod spool;

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::Limited;
use portico_core::{Body, BoxError};
use tower::{Layer, Service, ServiceExt};

use self::spool::{SpoolError, spool};
use crate::{
    circuit_breaker::{
        ExpressionError,
        expression::{Call, Expr, Function, Kind, Value},
    },
    ip_allow_list::status_text,
};

/// oxy's `DefaultMaxRetryAttempts`: retried while the attempt count is at most this.
const MAX_ATTEMPTS: u64 = 10;
const MIB: u64 = 1024 * 1024;

/// The functions of the retry expression.
const FUNCTIONS: [Function; 3] = [
    Function {
        name: "Attempts",
        args: 0,
        kind: Kind::Number,
    },
    Function {
        name: "ResponseCode",
        args: 0,
        kind: Kind::Number,
    },
    Function {
        name: "IsNetworkError",
        args: 0,
        kind: Kind::Bool,
    },
];

/// Buffers requests and responses; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct BufferingLayer {
    config: Arc<Config>,
}

#[derive(Clone, Debug)]
struct Config {
    max_request: u64,
    mem_request: u64,
    max_response: u64,
    mem_response: u64,
    retry: Option<Expr>,
    buffer_request: bool,
    buffer_response: bool,
}

/// The service made by [`BufferingLayer`].
#[derive(Clone, Debug)]
pub struct Buffering<S> {
    inner: S,
    config: Arc<Config>,
}

// === impl BufferingLayer ===

impl BufferingLayer {
    /// Both bodies buffered, no maximum, 1 MiB of each in memory, no retry.
    pub fn new() -> Self {
        BufferingLayer {
            config: Arc::new(Config {
                max_request: 0,
                mem_request: MIB,
                max_response: 0,
                mem_response: MIB,
                retry: None,
                buffer_request: true,
                buffer_response: true,
            }),
        }
    }

    fn with(self, change: impl FnOnce(&mut Config)) -> Self {
        let mut config = (*self.config).clone();
        change(&mut config);
        BufferingLayer {
            config: Arc::new(config),
        }
    }

    /// The largest request body (0: no limit); over it, 413.
    pub fn max_request_body_bytes(self, max: u64) -> Self {
        self.with(|c| c.max_request = max)
    }

    /// Request bytes kept in memory before spilling to a temporary file.
    pub fn mem_request_body_bytes(self, mem: u64) -> Self {
        self.with(|c| c.mem_request = mem)
    }

    /// The largest response body (0: no limit); over it, 500.
    pub fn max_response_body_bytes(self, max: u64) -> Self {
        self.with(|c| c.max_response = max)
    }

    /// Response bytes kept in memory before spilling to a temporary file.
    pub fn mem_response_body_bytes(self, mem: u64) -> Self {
        self.with(|c| c.mem_response = mem)
    }

    /// Replays the request while `expression` holds (`retryExpression`).
    pub fn retry_expression(self, expression: &str) -> Result<Self, ExpressionError> {
        let expr = Expr::parse(expression, &FUNCTIONS)?;
        Ok(self.with(|c| c.retry = Some(expr)))
    }

    /// Whether the request body is buffered (default true).
    pub fn request_buffer(self, on: bool) -> Self {
        self.with(|c| c.buffer_request = on)
    }

    /// Whether the response body is buffered (default true).
    pub fn response_buffer(self, on: bool) -> Self {
        self.with(|c| c.buffer_response = on)
    }
}

impl Default for BufferingLayer {
    fn default() -> Self {
        BufferingLayer::new()
    }
}

impl<S> Layer<S> for BufferingLayer {
    type Service = Buffering<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Buffering {
            inner,
            config: self.config.clone(),
        }
    }
}

// === impl Buffering ===

impl<S> Buffering<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ResB> Service<Request<Body>> for Buffering<S>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    ResB: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(serve(inner, self.config.clone(), request))
    }
}

async fn serve<S, ResB>(
    mut inner: S,
    config: Arc<Config>,
    request: Request<Body>,
) -> Result<Response<Body>, Infallible>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = Infallible>,
    ResB: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    let (mut parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if config.max_request > 0 && declared.is_some_and(|len| len > config.max_request) {
        return Ok(status_text(StatusCode::PAYLOAD_TOO_LARGE));
    }
    // The replayable request body, or the one streamed body.
    let mut streamed = None;
    let spooled = if config.buffer_request {
        match spool(body, config.mem_request, config.max_request).await {
            Ok(spooled) => {
                parts.headers.remove(header::TRANSFER_ENCODING);
                if spooled.len() > 0 || declared.is_some() {
                    parts
                        .headers
                        .insert(header::CONTENT_LENGTH, HeaderValue::from(spooled.len()));
                }
                Some(spooled)
            }
            Err(SpoolError::TooLarge(_)) => return Ok(status_text(StatusCode::PAYLOAD_TOO_LARGE)),
            Err(error) => {
                tracing::debug!(%error, "buffering the request failed");
                return Ok(status_text(StatusCode::BAD_REQUEST));
            }
        }
    } else {
        streamed = Some(if config.max_request > 0 {
            Body::new(Limited::new(
                body,
                usize::try_from(config.max_request).unwrap_or(usize::MAX),
            ))
        } else {
            body
        });
        None
    };
    let head = parts.method == Method::HEAD;
    let mut attempt = 1;
    loop {
        let body = match (&spooled, streamed.take()) {
            (Some(spooled), _) => match spooled.body() {
                Ok(body) => body,
                Err(error) => {
                    tracing::warn!(%error, "replaying a buffered request failed");
                    return Ok(status_text(StatusCode::INTERNAL_SERVER_ERROR));
                }
            },
            (None, Some(body)) => body,
            (None, None) => Body::empty(),
        };
        let response = inner
            .ready()
            .await?
            .call(Request::from_parts(parts.clone(), body))
            .await?;
        let status = response.status();
        let again = spooled.is_some()
            && attempt <= MAX_ATTEMPTS
            && config.retry.as_ref().is_some_and(|expr| {
                expr.eval(&mut |call: &Call| match FUNCTIONS[call.function].name {
                    "Attempts" => Value::Number(attempt as f64),
                    "ResponseCode" => Value::Number(f64::from(status.as_u16())),
                    _ => Value::Bool(
                        status == StatusCode::BAD_GATEWAY || status == StatusCode::GATEWAY_TIMEOUT,
                    ),
                })
            });
        if again {
            attempt += 1;
            tracing::debug!(attempt, "buffering: replaying the request");
            continue;
        }
        let (mut head_parts, body) = response.into_parts();
        if !config.buffer_response {
            return Ok(Response::from_parts(head_parts, Body::new(body)));
        }
        return Ok(
            match spool(Body::new(body), config.mem_response, config.max_response).await {
                Ok(spooled) => match spooled.body() {
                    Ok(body) => {
                        let bodiless = head
                            || status.is_informational()
                            || status == StatusCode::NO_CONTENT
                            || status == StatusCode::NOT_MODIFIED;
                        if !bodiless {
                            head_parts.headers.remove(header::TRANSFER_ENCODING);
                            head_parts
                                .headers
                                .insert(header::CONTENT_LENGTH, HeaderValue::from(spooled.len()));
                        }
                        Response::from_parts(head_parts, body)
                    }
                    Err(error) => {
                        tracing::warn!(%error, "replaying a buffered response failed");
                        status_text(StatusCode::INTERNAL_SERVER_ERROR)
                    }
                },
                Err(SpoolError::TooLarge(max)) => {
                    tracing::debug!(max, "response larger than maxResponseBodyBytes");
                    status_text(StatusCode::INTERNAL_SERVER_ERROR)
                }
                Err(error) => {
                    tracing::debug!(%error, "buffering the response failed");
                    status_text(StatusCode::BAD_GATEWAY)
                }
            },
        );
    }
}

#[cfg(test)]
mod tests;
