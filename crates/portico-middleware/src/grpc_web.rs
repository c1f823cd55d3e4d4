//! Traefik's `grpcWeb` middleware: lets browsers call gRPC services through
//! gRPC-Web.
//!
//! A `POST` with `Content-Type: application/grpc-web[-text][+proto]` is turned into
//! a gRPC request (HTTP/2, `application/grpc…`, `TE: trailers`, the `-text` body
//! base64-decoded) and its gRPC response back into gRPC-Web: the content type
//! renamed, the HTTP/2 trailers (`grpc-status`, `grpc-message`, …) appended to the
//! body as a trailer frame (flag `0x80`, lower-case `name: value\r\n` lines),
//! everything base64-encoded in `-text` mode, and every response header listed in
//! `Access-Control-Expose-Headers`. Other requests go through untouched.
//!
//! CORS works as in Traefik (`improbable-eng/grpc-web` with `rs/cors`): an
//! `OPTIONS` request asking for the `x-grpc-web` header is a preflight answered
//! `204` here; origins listed in `allow_origins` (`*`: any) get
//! `Access-Control-Allow-Origin` (their own origin), credentials allowed, any
//! requested header, `GET`/`POST`/`HEAD`, `Access-Control-Max-Age: 600`.
//!
//! The backend must speak gRPC over HTTP/2 (an `h2c://` server in Portico).
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::post};
//! use portico_middleware::grpc_web::GrpcWebLayer;
//!
//! let app: Router = Router::new()
//!     .route("/helloworld.Greeter/SayHello", post(|| async { "a gRPC handler" }))
//!     .layer(GrpcWebLayer::new(["https://app.example.com"]));
//! # let _ = app;
//! ```

mod body;

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Version, header};
use portico_core::Body;
use tower::{Layer, Service};

use self::body::{DecodeText, EncodeWeb};
use crate::{basic_auth::BoxResponseFuture, forward_auth::canonical_key};

const GRPC: &str = "application/grpc";
const GRPC_WEB: &str = "application/grpc-web";
const GRPC_WEB_TEXT: &str = "application/grpc-web-text";

/// Translates gRPC-Web to gRPC; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct GrpcWebLayer {
    allow_origins: Arc<[String]>,
}

/// The service made by [`GrpcWebLayer`].
#[derive(Clone, Debug)]
pub struct GrpcWeb<S> {
    inner: S,
    allow_origins: Arc<[String]>,
}

// === impl GrpcWebLayer ===

impl GrpcWebLayer {
    /// Translates requests, allowing CORS for `allow_origins` (`*`: any).
    pub fn new<I, T>(allow_origins: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        GrpcWebLayer {
            allow_origins: allow_origins.into_iter().map(Into::into).collect(),
        }
    }
}

impl<S> Layer<S> for GrpcWebLayer {
    type Service = GrpcWeb<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcWeb {
            inner,
            allow_origins: self.allow_origins.clone(),
        }
    }
}

// === impl GrpcWeb ===

impl<S> GrpcWeb<S> {
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

    /// The request's origin when it is allowed.
    fn allowed_origin<B>(&self, request: &Request<B>) -> Option<HeaderValue> {
        let origin = request.headers().get(header::ORIGIN)?;
        let text = origin.to_str().ok()?;
        if text.is_empty() {
            return None;
        }
        self.allow_origins
            .iter()
            .any(|o| o == "*" || o == text)
            .then(|| origin.clone())
    }

    /// The `rs/cors` answer to a gRPC-Web preflight.
    fn preflight<B>(&self, request: &Request<B>) -> Response<Body> {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let out = response.headers_mut();
        for vary in [
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
        ] {
            out.append(header::VARY, HeaderValue::from_static(vary));
        }
        let Some(origin) = self.allowed_origin(request) else {
            return response;
        };
        let method = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|m| m.to_str().ok())
            .map(str::to_ascii_uppercase)
            .unwrap_or_default();
        if !matches!(method.as_str(), "GET" | "POST" | "HEAD" | "OPTIONS") {
            return response;
        }
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if let Ok(m) = HeaderValue::from_str(&method) {
            out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, m);
        }
        if let Some(h) = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .filter(|h| !h.is_empty())
        {
            out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, h.clone());
        }
        out.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        out.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        response
    }
}

fn content_type<B>(request: &Request<B>) -> &str {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn is_grpc_web<B>(request: &Request<B>) -> bool {
    request.method() == Method::POST && content_type(request).starts_with(GRPC_WEB)
}

fn is_preflight<B>(request: &Request<B>) -> bool {
    request.method() == Method::OPTIONS
        && request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("x-grpc-web"))
}

/// Rewrites a gRPC-Web request into gRPC; returns whether it was `-text`.
fn into_grpc(request: Request<Body>) -> (Request<Body>, bool) {
    let ct = content_type(&request).to_owned();
    let text = ct.starts_with(GRPC_WEB_TEXT);
    let incoming = if text { GRPC_WEB_TEXT } else { GRPC_WEB };
    let (mut parts, body) = request.into_parts();
    parts.version = Version::HTTP_2;
    if let Ok(v) = HeaderValue::from_str(&ct.replacen(incoming, GRPC, 1)) {
        parts.headers.insert(header::CONTENT_TYPE, v);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::TE, HeaderValue::from_static("trailers"));
    let body = if text {
        Body::new(DecodeText::new(body))
    } else {
        body
    };
    (Request::from_parts(parts, body), text)
}

/// Rewrites a gRPC response into gRPC-Web.
fn into_grpc_web(response: Response<Body>, text: bool, cors: &HeaderMap) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let web = if text { GRPC_WEB_TEXT } else { GRPC_WEB };
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| ct.replacen(GRPC, web, 1));
    if let Some(v) = ct.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
        parts.headers.insert(header::CONTENT_TYPE, v);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::TRAILER);
    for (name, value) in cors {
        parts.headers.insert(name.clone(), value.clone());
    }
    let mut names: Vec<String> = parts
        .headers
        .keys()
        .map(|n| canonical_key(n.as_str()))
        .collect();
    names.sort();
    names.dedup();
    names.extend(["grpc-status".to_owned(), "grpc-message".to_owned()]);
    if let Ok(v) = HeaderValue::from_str(&names.join(", ")) {
        parts
            .headers
            .insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
    }
    Response::from_parts(parts, Body::new(EncodeWeb::new(body, text)))
}

impl<S> Service<Request<Body>> for GrpcWeb<S>
where
    S: Service<Request<Body>, Response = Response<Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxResponseFuture<Body, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if is_preflight(&request) {
            let response = self.preflight(&request);
            return Box::pin(async move { Ok(response) });
        }
        if !is_grpc_web(&request) {
            let future = self.inner.call(request);
            return Box::pin(future);
        }
        let mut cors = HeaderMap::new();
        cors.insert(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = self.allowed_origin(&request) {
            cors.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            cors.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        let (request, text) = into_grpc(request);
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await?;
            Ok(into_grpc_web(response, text, &cors))
        })
    }
}

#[cfg(test)]
mod tests;
