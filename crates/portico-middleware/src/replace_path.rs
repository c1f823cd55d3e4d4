//! Traefik's `replacePath` middleware: replaces the request path, keeping the
//! query, and records the original path in `X-Replaced-Path`.
//!
//! The new path is used as written when it is a valid escaped path; characters a
//! path cannot carry (space, `?`, `#`, non-ASCII) are escaped. A malformed `%`
//! escape in it makes every request fail with `500`, as in Traefik.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::replace_path::ReplacePathLayer;
//!
//! let app: Router = Router::new()
//!     .route("/health", get(|| async { "ok" }))
//!     .layer(ReplacePathLayer::new("/health"));
//! // Every request reaches `/health`, with `X-Replaced-Path` set to its own path.
//! # let _ = app;
//! ```

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use tower::{Layer, Service};

use crate::{ResponseFuture, strip_prefix::reject, uri_path};

/// `X-Replaced-Path`.
pub const X_REPLACED_PATH: HeaderName = HeaderName::from_static("x-replaced-path");

/// Replaces the request path; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct ReplacePathLayer {
    /// The escaped path, or `None` when the configured one has a malformed escape.
    path: Option<Arc<str>>,
}

/// The service made by [`ReplacePathLayer`].
#[derive(Clone, Debug)]
pub struct ReplacePath<S> {
    inner: S,
    layer: ReplacePathLayer,
}

// === impl ReplacePathLayer ===

impl ReplacePathLayer {
    /// Replaces every request path with `path`.
    pub fn new(path: &str) -> Self {
        ReplacePathLayer {
            path: uri_path::to_raw_path(path)
                .ok()
                .map(|p| Arc::from(p.as_ref())),
        }
    }
}

impl<S> Layer<S> for ReplacePathLayer {
    type Service = ReplacePath<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ReplacePath {
            inner,
            layer: self.clone(),
        }
    }
}

// === impl ReplacePath ===

impl<S> ReplacePath<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, path: &str) -> Self {
        ReplacePathLayer::new(path).layer(inner)
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

/// Sets `uri`'s path to `path` and records the old one in `X-Replaced-Path`.
pub(crate) fn replace<B>(request: &mut Request<B>, path: &str) -> bool {
    let old = request.uri().path().to_owned();
    match uri_path::with_path(request.uri(), path) {
        Ok(uri) => {
            *request.uri_mut() = uri;
            if let Ok(value) = HeaderValue::from_str(&old) {
                request.headers_mut().append(X_REPLACED_PATH, value);
            }
            true
        }
        Err(_) => false,
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ReplacePath<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let Some(path) = self.layer.path.as_deref() else {
            tracing::debug!("replacePath: the configured path has a malformed escape");
            return reject(StatusCode::INTERNAL_SERVER_ERROR);
        };
        if !replace(&mut request, path) {
            return reject(StatusCode::INTERNAL_SERVER_ERROR);
        }
        ResponseFuture::inner(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{ServiceExt, service_fn};

    use super::*;

    async fn call(path: &str, uri: &str) -> (StatusCode, String, Option<String>) {
        let svc = ReplacePathLayer::new(path).layer(service_fn(|req: Request<()>| async move {
            let replaced = req
                .headers()
                .get(X_REPLACED_PATH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            Ok::<_, Infallible>(Response::new((req.uri().to_string(), replaced)))
        }));
        let response = svc
            .oneshot(Request::get(uri).body(()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let (uri, replaced) = response.into_body();
        (status, uri, replaced)
    }

    #[tokio::test]
    async fn replaces_and_records_the_old_path() {
        let (status, uri, replaced) = call("/new", "/old/path%2Fx?q=1").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(uri, "/new?q=1");
        assert_eq!(replaced.as_deref(), Some("/old/path%2Fx"));
    }

    #[tokio::test]
    async fn escapes_what_a_path_cannot_carry() {
        assert_eq!(call("/a b", "/x").await.1, "/a%20b");
        assert_eq!(call("/a%20b", "/x").await.1, "/a%20b");
    }

    #[tokio::test]
    async fn malformed_escape_answers_500() {
        let (status, _, replaced) = call("/a%zz", "/x").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(replaced, None);
    }
}
