//! Traefik's `addPrefix` middleware: prepends a prefix to the request path.
//!
//! The prefix is a decoded path: characters a path cannot carry as they are
//! (including `%`) are escaped when it is added. The query is kept. A prefix without
//! a leading `/` gets one (`api` + `/x` is `/api/x`), as in Traefik.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::add_prefix::AddPrefixLayer;
//!
//! let app: Router = Router::new()
//!     .route("/api/users", get(|| async { "users" }))
//!     .layer(AddPrefixLayer::new("/api"));
//! // `GET /users` reaches the `/api/users` handler.
//! # let _ = app;
//! ```

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use http::{Request, Response, StatusCode};
use tower::{Layer, Service};

use crate::{ResponseFuture, uri_path};

/// Adds a path prefix; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct AddPrefixLayer {
    prefix: Arc<str>,
}

/// The service made by [`AddPrefixLayer`].
#[derive(Clone, Debug)]
pub struct AddPrefix<S> {
    inner: S,
    layer: AddPrefixLayer,
}

// === impl AddPrefixLayer ===

impl AddPrefixLayer {
    /// Prepends `prefix` (a decoded path, escaped here once) to every request path.
    pub fn new(prefix: &str) -> Self {
        AddPrefixLayer {
            prefix: Arc::from(uri_path::escape_decoded(prefix).as_ref()),
        }
    }

    /// The path `path` (escaped) becomes.
    pub fn rewrite(&self, path: &str) -> String {
        uri_path::ensure_leading_slash(&format!("{}{path}", self.prefix)).into_owned()
    }
}

impl<S> Layer<S> for AddPrefixLayer {
    type Service = AddPrefix<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AddPrefix {
            inner,
            layer: self.clone(),
        }
    }
}

// === impl AddPrefix ===

impl<S> AddPrefix<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, prefix: &str) -> Self {
        AddPrefixLayer::new(prefix).layer(inner)
    }

    /// A layer adding `prefix`.
    pub fn layer(prefix: &str) -> AddPrefixLayer {
        AddPrefixLayer::new(prefix)
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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for AddPrefix<S>
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
        let path = self.layer.rewrite(request.uri().path());
        match uri_path::with_path(request.uri(), &path) {
            Ok(uri) => *request.uri_mut() = uri,
            Err(_) => {
                tracing::debug!(path, "addPrefix: invalid resulting path");
                let mut response = Response::new(ResBody::default());
                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                return ResponseFuture::rejected(response);
            }
        }
        ResponseFuture::inner(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{ServiceExt, service_fn};

    use super::*;

    async fn seen(layer: AddPrefixLayer, uri: &str) -> String {
        let svc = layer.layer(service_fn(|req: Request<()>| async move {
            Ok::<_, Infallible>(Response::new(req.uri().to_string()))
        }));
        let request = Request::get(uri).body(()).unwrap();
        svc.oneshot(request).await.unwrap().into_body()
    }

    #[tokio::test]
    async fn prepends_and_keeps_query() {
        assert_eq!(
            seen(AddPrefixLayer::new("/api"), "/x?y=1").await,
            "/api/x?y=1"
        );
        assert_eq!(seen(AddPrefixLayer::new("/api/"), "/").await, "/api//");
        assert_eq!(seen(AddPrefixLayer::new("api"), "/x").await, "/api/x");
    }

    #[tokio::test]
    async fn prefix_is_escaped_once() {
        assert_eq!(
            seen(AddPrefixLayer::new("/a b"), "/x%20y").await,
            "/a%20b/x%20y"
        );
        assert_eq!(seen(AddPrefixLayer::new("/100%"), "/x").await, "/100%25/x");
    }

    #[test]
    fn rewrite_is_exposed() {
        assert_eq!(AddPrefixLayer::new("/p").rewrite("/q"), "/p/q");
    }
}
