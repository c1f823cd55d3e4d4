//! Traefik's `headers` middleware: custom request and response headers, CORS, and
//! security headers.
//!
//! In the order a request meets them:
//! 1. **CORS preflight** ([`Cors`]): an `OPTIONS` request with `Origin` and
//!    `Access-Control-Request-Method` is answered here, `200` with the configured
//!    `Access-Control-*` headers, without calling the inner service;
//! 2. **custom request headers**: set, or deleted when given no value; `Host` sets
//!    the request's host;
//! 3. **security checks** ([`Security`]): `allowedHosts` (`500 Bad Host` otherwise,
//!    as `unrolled/secure`), then the deprecated `sslRedirect`/`sslForceHost`
//!    redirects;
//! 4. the inner service; then on its response, **security headers** (STS only over
//!    HTTPS unless forced, frame options, nosniff, XSS, CSP and its report-only
//!    twin, HPKP, referrer, permissions and feature policy), then **custom response
//!    headers** (which win), then the CORS response headers and `Vary: Origin`.
//!
//! A request is HTTPS when it arrived over TLS or carries one of the
//! `sslProxyHeaders` with its value. `isDevelopment` turns off the host check, the
//! SSL redirect, STS and HPKP.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use http::{HeaderName, HeaderValue};
//! use portico_middleware::headers::{Cors, HeadersLayer, Security};
//!
//! let layer = HeadersLayer::new()
//!     .request_header(HeaderName::from_static("x-script-name"), Some(HeaderValue::from_static("test")))
//!     .response_header(HeaderName::from_static("x-powered-by"), None)
//!     .cors(Cors {
//!         allow_methods: vec!["GET".into(), "OPTIONS".into()],
//!         allow_origins: vec!["https://app.example.com".into()],
//!         max_age: Some(100),
//!         add_vary_header: true,
//!         ..Cors::default()
//!     })
//!     .security(Security {
//!         frame_deny: true,
//!         content_type_nosniff: true,
//!         sts_seconds: 31536000,
//!         ..Security::default()
//!     });
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

mod cors;
mod secure;

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, header};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

pub use self::{cors::Cors, secure::Security};

/// Sets headers, answers CORS preflights and applies security headers; see the
/// [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct HeadersLayer {
    settings: Arc<Settings>,
}

/// The service made by [`HeadersLayer`].
#[derive(Clone, Debug)]
pub struct Headers<S> {
    inner: S,
    settings: Arc<Settings>,
}

#[derive(Clone, Debug, Default)]
struct Settings {
    request: Vec<(HeaderName, Option<HeaderValue>)>,
    response: Vec<(HeaderName, Option<HeaderValue>)>,
    cors: Option<Cors>,
    security: Option<secure::Compiled>,
}

pin_project! {
    /// The response future of [`Headers`].
    #[derive(Debug)]
    pub struct ResponseFuture<F, B> {
        #[pin]
        kind: Kind<F, B>,
    }
}

pin_project! {
    #[project = KindProj]
    #[derive(Debug)]
    enum Kind<F, B> {
        Inner {
            #[pin]
            future: F,
            settings: Arc<Settings>,
            seen: Seen,
        },
        Answered { response: Option<Response<B>> },
    }
}

/// What the response step needs to know about the request.
#[derive(Debug)]
struct Seen {
    origin: Option<HeaderValue>,
    ssl: bool,
}

// === impl HeadersLayer ===

impl HeadersLayer {
    /// A layer that changes nothing until configured.
    pub fn new() -> Self {
        HeadersLayer::default()
    }

    /// Sets request header `name` to `value`, or deletes it when `value` is `None`.
    pub fn request_header(mut self, name: HeaderName, value: Option<HeaderValue>) -> Self {
        Arc::make_mut(&mut self.settings)
            .request
            .push((name, value));
        self
    }

    /// Sets response header `name` to `value`, or deletes it when `value` is `None`.
    pub fn response_header(mut self, name: HeaderName, value: Option<HeaderValue>) -> Self {
        Arc::make_mut(&mut self.settings)
            .response
            .push((name, value));
        self
    }

    /// Turns CORS handling on with `cors`.
    pub fn cors(mut self, cors: Cors) -> Self {
        Arc::make_mut(&mut self.settings).cors = Some(cors);
        self
    }

    /// Turns the security checks and headers on with `security`.
    pub fn security(mut self, security: Security) -> Self {
        Arc::make_mut(&mut self.settings).security = Some(secure::Compiled::new(security));
        self
    }
}

impl<S> Layer<S> for HeadersLayer {
    type Service = Headers<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Headers {
            inner,
            settings: self.settings.clone(),
        }
    }
}

// === impl Headers ===

impl<S> Headers<S> {
    /// Wraps `inner` with the layer's settings.
    pub fn new(inner: S, layer: &HeadersLayer) -> Self {
        layer.layer(inner)
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Headers<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<Bytes>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let settings = &self.settings;
        if let Some(cors) = &settings.cors
            && let Some(response) = cors.preflight(&request)
        {
            return ResponseFuture::answered(response);
        }
        set_headers(request.headers_mut(), &settings.request);
        let mut ssl = false;
        if let Some(security) = &settings.security {
            match security.check(&request) {
                Ok(is_ssl) => ssl = is_ssl,
                Err(response) => return ResponseFuture::answered(response),
            }
        }
        let seen = Seen {
            origin: request.headers().get(header::ORIGIN).cloned(),
            ssl,
        };
        ResponseFuture {
            kind: Kind::Inner {
                future: self.inner.call(request),
                settings: settings.clone(),
                seen,
            },
        }
    }
}

/// Applies `(name, value)` pairs: a value replaces every existing one, `None`
/// deletes the header.
fn set_headers(headers: &mut HeaderMap, pairs: &[(HeaderName, Option<HeaderValue>)]) {
    for (name, value) in pairs {
        match value {
            Some(value) => {
                headers.insert(name.clone(), value.clone());
            }
            None => {
                headers.remove(name);
            }
        }
    }
}

// === impl ResponseFuture ===

impl<F, B> ResponseFuture<F, B> {
    fn answered(response: Response<B>) -> Self {
        ResponseFuture {
            kind: Kind::Answered {
                response: Some(response),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Answered { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => Poll::Pending,
            },
            KindProj::Inner {
                future,
                settings,
                seen,
            } => {
                let mut response = match future.poll(cx) {
                    Poll::Ready(Ok(response)) => response,
                    other => return other,
                };
                let headers = response.headers_mut();
                if let Some(security) = &settings.security {
                    security.decorate(headers, seen.ssl);
                }
                set_headers(headers, &settings.response);
                if let Some(cors) = &settings.cors {
                    cors.decorate(headers, seen.origin.as_ref());
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}

#[cfg(test)]
mod tests;
