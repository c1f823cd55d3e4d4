//! Traefik's `replacePathRegex` middleware: rewrites the request path with a
//! regular expression and a replacement, recording the original path in
//! `X-Replaced-Path`.
//!
//! The expression is searched in the escaped path (unanchored); when it matches,
//! every match is replaced (`$1`, `${name}` and `$$` as in Go's
//! `ReplaceAllString`). The query is kept. A result with a malformed `%` escape is
//! answered `500`, as in Traefik.
//!
//! **Path safety**: a result that has a `.` or `..` segment once decoded
//! (`/api/..%2Fadmin` rewritten to `/internal/..%2Fadmin`) would leave the target
//! prefix at a normalizing backend; it is answered `400 Bad Request`.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::replace_path_regex::ReplacePathRegexLayer;
//! use regex::Regex;
//!
//! let regex = Regex::new("^/v1/(.*)").unwrap();
//! let app: Router = Router::new()
//!     .route("/api/{*rest}", get(|| async { "api" }))
//!     .layer(ReplacePathRegexLayer::new(regex, "/api/$1"));
//! // `GET /v1/users` reaches `/api/users`.
//! # let _ = app;
//! ```

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use http::{Request, Response, StatusCode};
use regex::Regex;
use tower::{Layer, Service};

use crate::{ResponseFuture, replace_path::replace, strip_prefix::reject, uri_path};

/// Rewrites the path with a regex; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct ReplacePathRegexLayer {
    regex: Regex,
    replacement: Arc<str>,
}

/// The service made by [`ReplacePathRegexLayer`].
#[derive(Clone, Debug)]
pub struct ReplacePathRegex<S> {
    inner: S,
    layer: ReplacePathRegexLayer,
}

/// What rewriting does to one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rewritten {
    /// The expression does not match: the request goes on unchanged.
    NoMatch,
    /// The new escaped path.
    Path(String),
    /// The result has a malformed escape: `500`.
    BadEscape,
    /// The result would leave its prefix once normalized: `400`.
    Unsafe,
}

// === impl ReplacePathRegexLayer ===

impl ReplacePathRegexLayer {
    /// Replaces matches of `regex` with `replacement`.
    pub fn new(regex: Regex, replacement: &str) -> Self {
        ReplacePathRegexLayer {
            regex,
            replacement: Arc::from(replacement),
        }
    }

    /// Rewrites the escaped `path`.
    pub fn rewrite(&self, path: &str) -> Rewritten {
        if !self.regex.is_match(path) {
            return Rewritten::NoMatch;
        }
        let replaced = self.regex.replace_all(path, &*self.replacement);
        match uri_path::to_raw_path(&replaced) {
            Err(_) => Rewritten::BadEscape,
            Ok(raw) if uri_path::has_dot_segments(&raw) => Rewritten::Unsafe,
            Ok(raw) => Rewritten::Path(raw.into_owned()),
        }
    }
}

impl<S> Layer<S> for ReplacePathRegexLayer {
    type Service = ReplacePathRegex<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ReplacePathRegex {
            inner,
            layer: self.clone(),
        }
    }
}

// === impl ReplacePathRegex ===

impl<S> ReplacePathRegex<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, regex: Regex, replacement: &str) -> Self {
        ReplacePathRegexLayer::new(regex, replacement).layer(inner)
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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ReplacePathRegex<S>
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
        match self.layer.rewrite(request.uri().path()) {
            Rewritten::NoMatch => {}
            Rewritten::Path(path) => {
                if !replace(&mut request, &path) {
                    return reject(StatusCode::INTERNAL_SERVER_ERROR);
                }
            }
            Rewritten::BadEscape => {
                tracing::debug!("replacePathRegex: the rewritten path has a malformed escape");
                return reject(StatusCode::INTERNAL_SERVER_ERROR);
            }
            Rewritten::Unsafe => {
                tracing::debug!(
                    path = request.uri().path(),
                    "replacePathRegex: rewritten path is not normalized"
                );
                return reject(StatusCode::BAD_REQUEST);
            }
        }
        ResponseFuture::inner(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(regex: &str, replacement: &str) -> ReplacePathRegexLayer {
        ReplacePathRegexLayer::new(Regex::new(regex).unwrap(), replacement)
    }

    fn path(s: &str) -> Rewritten {
        Rewritten::Path(s.to_owned())
    }

    #[test]
    fn rewrites_with_groups() {
        let l = layer("^/api/v2/(.*)", "/api/$1");
        assert_eq!(l.rewrite("/api/v2/users"), path("/api/users"));
        assert_eq!(l.rewrite("/other"), Rewritten::NoMatch);
        let l = layer("^/(?P<a>[a-z]+)/(?P<b>[a-z]+)$", "/${b}/${a}");
        assert_eq!(l.rewrite("/x/y"), path("/y/x"));
    }

    #[test]
    fn replaces_every_match() {
        assert_eq!(layer("a", "b").rewrite("/aaa"), path("/bbb"));
    }

    #[test]
    fn escapes_are_kept_and_checked() {
        assert_eq!(layer("^/x", "/y").rewrite("/x/a%2Fb"), path("/y/a%2Fb"));
        assert_eq!(layer("^/x", "/a b").rewrite("/x"), path("/a%20b"));
        assert_eq!(layer("^/x", "/a%zz").rewrite("/x"), Rewritten::BadEscape);
    }

    #[test]
    fn results_escaping_their_prefix_are_refused() {
        let l = layer("^/api/(.*)", "/internal/$1");
        assert_eq!(l.rewrite("/api/..%2Fadmin"), Rewritten::Unsafe);
        assert_eq!(l.rewrite("/api/%2e%2e/admin"), Rewritten::Unsafe);
        assert_eq!(l.rewrite("/api/a..b"), path("/internal/a..b"));
    }
}
