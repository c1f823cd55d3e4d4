//! Traefik's `stripPrefix` middleware: removes the first matching prefix from the
//! request path and records it in `X-Forwarded-Prefix`.
//!
//! Prefixes are compared with the decoded path (`/api` matches `/ap%69/x`) and the
//! escaped path is cut at the same place, so escapes after the prefix reach the
//! backend unchanged. A remainder without a leading `/` gets one (`/api` strips
//! `/apiary` to `/ary`, as in Traefik).
//!
//! **Path safety** (Traefik v3.6.19, CVE-2025-32431): when the stripped path, once
//! decoded, has a `.` or `..` segment (`/api../x`, `/api%2F..%2Fadmin`, `/api/%2e%2e/`),
//! a backend normalizing it would serve a resource outside the prefix, possibly one
//! another router protects. Such requests are answered `400 Bad Request`.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::strip_prefix::StripPrefixLayer;
//!
//! let app: Router = Router::new()
//!     .route("/users", get(|| async { "users" }))
//!     .layer(StripPrefixLayer::new(["/api", "/v1"]));
//! // `GET /api/users` reaches `/users` with `X-Forwarded-Prefix: /api`.
//! # let _ = app;
//! ```

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use tower::{Layer, Service};

use crate::{ResponseFuture, uri_path};

/// `X-Forwarded-Prefix`.
pub const X_FORWARDED_PREFIX: HeaderName = HeaderName::from_static("x-forwarded-prefix");

/// Strips path prefixes; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct StripPrefixLayer {
    prefixes: Arc<[(String, HeaderValue)]>,
    force_slash: bool,
}

/// The service made by [`StripPrefixLayer`].
#[derive(Clone, Debug)]
pub struct StripPrefix<S> {
    inner: S,
    layer: StripPrefixLayer,
}

/// What stripping does to one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stripped {
    /// No prefix matches: the request goes on unchanged.
    NoMatch,
    /// The new escaped path (empty means `/`) and the prefix that matched.
    Path(String, HeaderValue),
    /// The stripped path would escape the prefix once normalized: `400`.
    Unsafe,
}

// === impl StripPrefixLayer ===

impl StripPrefixLayer {
    /// Strips the first of `prefixes` that the decoded path starts with.
    pub fn new<I, P>(prefixes: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        let prefixes = prefixes
            .into_iter()
            .map(|p| {
                let prefix: String = p.into();
                let value = header_value(prefix.trim());
                (prefix, value)
            })
            .collect();
        StripPrefixLayer {
            prefixes,
            force_slash: false,
        }
    }

    /// Traefik's deprecated `forceSlash`: the stripped path always starts with
    /// exactly the one `/` (`/api/` on `/api/` gives `/`, `/api` on `/api` gives `/`).
    pub fn force_slash(mut self, force: bool) -> Self {
        self.force_slash = force;
        self
    }

    /// Strips the escaped `path`.
    pub fn strip(&self, path: &str) -> Stripped {
        for (prefix, value) in self.prefixes.iter() {
            let Some(rest) = uri_path::strip_decoded_prefix(path, prefix) else {
                continue;
            };
            let new_path = if self.force_slash {
                format!("/{}", rest.strip_prefix('/').unwrap_or(rest))
            } else {
                uri_path::ensure_leading_slash(rest).into_owned()
            };
            if uri_path::has_dot_segments(&new_path) {
                return Stripped::Unsafe;
            }
            return Stripped::Path(new_path, value.clone());
        }
        Stripped::NoMatch
    }
}

/// The prefix as a header value; bytes a header cannot carry are escaped.
pub(crate) fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| {
        let escaped = uri_path::escape_decoded(text);
        HeaderValue::from_str(&escaped).unwrap_or(HeaderValue::from_static(""))
    })
}

impl<S> Layer<S> for StripPrefixLayer {
    type Service = StripPrefix<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StripPrefix {
            inner,
            layer: self.clone(),
        }
    }
}

// === impl StripPrefix ===

impl<S> StripPrefix<S> {
    /// Wraps `inner`.
    pub fn new<I, P>(inner: S, prefixes: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        StripPrefixLayer::new(prefixes).layer(inner)
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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for StripPrefix<S>
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
        match self.layer.strip(request.uri().path()) {
            Stripped::NoMatch => {}
            Stripped::Path(path, prefix) => match uri_path::with_path(request.uri(), &path) {
                Ok(uri) => {
                    *request.uri_mut() = uri;
                    request.headers_mut().append(X_FORWARDED_PREFIX, prefix);
                }
                Err(_) => return reject(StatusCode::BAD_REQUEST),
            },
            Stripped::Unsafe => {
                tracing::debug!(
                    path = request.uri().path(),
                    "stripPrefix: stripped path is not normalized"
                );
                return reject(StatusCode::BAD_REQUEST);
            }
        }
        ResponseFuture::inner(self.inner.call(request))
    }
}

pub(crate) fn reject<F, B: Default>(status: StatusCode) -> ResponseFuture<F, B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    ResponseFuture::rejected(response)
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{ServiceExt, service_fn};

    use super::*;

    async fn call(layer: &StripPrefixLayer, uri: &str) -> (StatusCode, String, Vec<String>) {
        let svc = layer.layer(service_fn(|req: Request<()>| async move {
            let prefixes: Vec<String> = req
                .headers()
                .get_all(X_FORWARDED_PREFIX)
                .iter()
                .map(|v| v.to_str().unwrap_or_default().to_owned())
                .collect();
            Ok::<_, Infallible>(Response::new((req.uri().to_string(), prefixes)))
        }));
        let response = svc
            .oneshot(Request::get(uri).body(()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let (uri, prefixes) = response.into_body();
        (status, uri, prefixes)
    }

    #[tokio::test]
    async fn strips_the_first_matching_prefix() {
        let layer = StripPrefixLayer::new(["/foo", "/foo/bar"]);
        let (status, uri, prefix) = call(&layer, "/foo/bar/baz?q=1").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(uri, "/bar/baz?q=1");
        assert_eq!(prefix, ["/foo"]);
        assert_eq!(call(&layer, "/other").await.1, "/other");
        assert!(call(&layer, "/other").await.2.is_empty());
    }

    #[tokio::test]
    async fn leading_slash_is_ensured() {
        let layer = StripPrefixLayer::new(["/api"]);
        assert_eq!(call(&layer, "/apiary").await.1, "/ary");
        assert_eq!(call(&layer, "/api").await.1, "/");
        let layer = StripPrefixLayer::new(["/api/"]);
        assert_eq!(call(&layer, "/api/").await.1, "/");
        assert_eq!(call(&layer, "/api/x").await.1, "/x");
    }

    #[tokio::test]
    async fn force_slash_trims_one_slash() {
        let layer = StripPrefixLayer::new(["/api"]).force_slash(true);
        assert_eq!(call(&layer, "/api/x").await.1, "/x");
        assert_eq!(call(&layer, "/apix").await.1, "/x");
    }

    #[tokio::test]
    async fn escapes_after_the_prefix_are_kept() {
        let layer = StripPrefixLayer::new(["/api"]);
        assert_eq!(call(&layer, "/api/a%2Fb%20c").await.1, "/a%2Fb%20c");
        assert_eq!(call(&layer, "/ap%69/x").await.1, "/x");
    }

    #[tokio::test]
    async fn paths_escaping_the_prefix_are_refused() {
        let layer = StripPrefixLayer::new(["/api"]);
        for uri in [
            "/api../foo",
            "/api./foo",
            "/api/../admin",
            "/api%2F..%2Fadmin",
            "/api/%2e%2e/admin",
        ] {
            let (status, _, prefix) = call(&layer, uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(prefix.is_empty());
        }
        assert_eq!(call(&layer, "/api/..foo").await.0, StatusCode::OK);
    }

    #[test]
    fn prefix_header_is_trimmed() {
        let layer = StripPrefixLayer::new([" /api "]);
        assert_eq!(
            layer.strip(" /api /x"),
            Stripped::Path("/x".to_owned(), HeaderValue::from_static("/api"))
        );
    }
}
