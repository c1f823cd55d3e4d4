//! Traefik's `stripPrefixRegex` middleware: removes the path prefix matched by the
//! first of several regular expressions and records it in `X-Forwarded-Prefix`.
//!
//! Each expression is searched in the decoded path (unanchored, leftmost match, as
//! Go's `FindStringSubmatch`); the match is stripped when it is non-empty and is a
//! prefix of the path. The escaped path is cut at the same place. As with
//! [`strip_prefix`](crate::strip_prefix), a stripped path that has a `.` or `..`
//! segment once decoded is answered `400 Bad Request`.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::strip_prefix_regex::StripPrefixRegexLayer;
//! use regex::Regex;
//!
//! let tenant = Regex::new("/tenants/[a-z0-9]+").unwrap();
//! let app: Router = Router::new()
//!     .route("/orders", get(|| async { "orders" }))
//!     .layer(StripPrefixRegexLayer::new([tenant]));
//! // `GET /tenants/acme/orders` reaches `/orders`.
//! # let _ = app;
//! ```

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use http::{Request, Response, StatusCode};
use regex::Regex;
use tower::{Layer, Service};

use crate::{
    ResponseFuture,
    strip_prefix::{Stripped, X_FORWARDED_PREFIX, header_value, reject},
    uri_path,
};

/// Strips regex-matched path prefixes; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct StripPrefixRegexLayer {
    expressions: Arc<[Regex]>,
}

/// The service made by [`StripPrefixRegexLayer`].
#[derive(Clone, Debug)]
pub struct StripPrefixRegex<S> {
    inner: S,
    layer: StripPrefixRegexLayer,
}

// === impl StripPrefixRegexLayer ===

impl StripPrefixRegexLayer {
    /// Tries `expressions` in order.
    pub fn new<I: IntoIterator<Item = Regex>>(expressions: I) -> Self {
        StripPrefixRegexLayer {
            expressions: expressions.into_iter().collect(),
        }
    }

    /// Strips the escaped `path`.
    pub fn strip(&self, path: &str) -> Stripped {
        let decoded = uri_path::decode_str(path);
        let subject: &str = decoded.as_deref().unwrap_or(path);
        for expression in self.expressions.iter() {
            let Some(found) = expression.find(subject) else {
                continue;
            };
            let prefix = found.as_str();
            if prefix.is_empty() || !subject.starts_with(prefix) {
                continue;
            }
            let rest = if decoded.is_some() {
                match uri_path::raw_offset(path, prefix.len()) {
                    Some(at) => &path[at..],
                    None => continue,
                }
            } else {
                &path[prefix.len()..]
            };
            let new_path = uri_path::ensure_leading_slash(rest).into_owned();
            if uri_path::has_dot_segments(&new_path) {
                return Stripped::Unsafe;
            }
            return Stripped::Path(new_path, header_value(prefix));
        }
        Stripped::NoMatch
    }
}

impl<S> Layer<S> for StripPrefixRegexLayer {
    type Service = StripPrefixRegex<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StripPrefixRegex {
            inner,
            layer: self.clone(),
        }
    }
}

// === impl StripPrefixRegex ===

impl<S> StripPrefixRegex<S> {
    /// Wraps `inner`.
    pub fn new<I: IntoIterator<Item = Regex>>(inner: S, expressions: I) -> Self {
        StripPrefixRegexLayer::new(expressions).layer(inner)
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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for StripPrefixRegex<S>
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
                    "stripPrefixRegex: stripped path is not normalized"
                );
                return reject(StatusCode::BAD_REQUEST);
            }
        }
        ResponseFuture::inner(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn layer(patterns: &[&str]) -> StripPrefixRegexLayer {
        StripPrefixRegexLayer::new(patterns.iter().map(|p| Regex::new(p).unwrap()))
    }

    fn path(s: &str, prefix: &'static str) -> Stripped {
        Stripped::Path(s.to_owned(), HeaderValue::from_static(prefix))
    }

    #[test]
    fn strips_the_matched_prefix() {
        let l = layer(&["/a/api/", "/b/([a-z0-9]+)/", "/c/[a-z0-9]+/[0-9]+/"]);
        assert_eq!(l.strip("/a/api/test"), path("/test", "/a/api/"));
        assert_eq!(l.strip("/b/api/test"), path("/test", "/b/api/"));
        assert_eq!(l.strip("/c/api/123/test"), path("/test", "/c/api/123/"));
        assert_eq!(l.strip("/b/api/"), path("", "/b/api/"));
        assert_eq!(l.strip("/d/x"), Stripped::NoMatch);
    }

    #[test]
    fn a_match_that_is_not_a_prefix_is_skipped() {
        let l = layer(&["/api"]);
        assert_eq!(l.strip("/v1/api/x"), Stripped::NoMatch);
        // An empty match never strips.
        let l = layer(&["x*"]);
        assert_eq!(l.strip("/y"), Stripped::NoMatch);
    }

    #[test]
    fn matches_the_decoded_path_and_cuts_the_escaped_one() {
        let l = layer(&["^/t/[a-z]+"]);
        assert_eq!(l.strip("/t/ab%63/x%2Fy"), path("/x%2Fy", "/t/abc"));
    }

    #[test]
    fn unsafe_results_are_refused() {
        let l = layer(&["^/api"]);
        assert_eq!(l.strip("/api/../admin"), Stripped::Unsafe);
        assert_eq!(l.strip("/api%2F..%2Fadmin"), Stripped::Unsafe);
        assert_eq!(l.strip("/api/%2E%2E/admin"), Stripped::Unsafe);
    }
}
