//! Traefik's entrypoint request-path pipeline, as a layer.
//!
//! Runs before routing, on the escaped path as received:
//! 1. **normalize**: `%XX` escapes of unreserved characters (`A-Z a-z 0-9 - . _ ~`) are
//!    decoded, every other escape is upper-cased; a malformed `%` answers `400`;
//! 2. **sanitize** (`http.sanitizePath`, on by default): `.` and `..` segments and
//!    repeated slashes are removed, a trailing slash is kept; `%2F` is not a separator;
//! 3. **query**: `;` separates parameters like `&` (`http.encodeQuerySemicolons:
//!    false`, the default) or is forwarded encoded as `%3B` (`true`).
//!
//! The request's URI is rewritten only when something changed, so the common path
//! costs a scan and no allocation.
//!
//! # Example
//!
//! ```
//! use portico_middleware::entry_path::EntryPathLayer;
//! use tower::{Layer, service_fn};
//! use http::{Request, Response};
//! use std::convert::Infallible;
//!
//! let layer = EntryPathLayer::new();
//! let uri = "/a/../b/%41%2f?x=1;y=2".parse().unwrap();
//! assert_eq!(layer.rewrite(&uri).unwrap().unwrap(), "/b/A%2F?x=1&y=2");
//!
//! // As a layer in front of any service:
//! let svc = layer.layer(service_fn(|req: Request<()>| async move {
//!     Ok::<_, Infallible>(Response::new(req.uri().to_string()))
//! }));
//! # let _ = svc;
//! ```

use std::{
    borrow::Cow,
    task::{Context, Poll},
};

use http::{Request, Response, StatusCode, Uri, uri::PathAndQuery};
use tower::{Layer, Service};

use crate::ResponseFuture;

/// Applies Traefik's entrypoint path pipeline; see the [module docs](self).
#[derive(Clone, Copy, Debug)]
pub struct EntryPathLayer {
    sanitize: bool,
    encode_query_semicolons: bool,
}

/// The service made by [`EntryPathLayer`].
#[derive(Clone, Debug)]
pub struct EntryPath<S> {
    inner: S,
    layer: EntryPathLayer,
}

/// A path that cannot be normalized: a `%` not followed by two hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MalformedEscape;

// === impl EntryPathLayer ===

impl EntryPathLayer {
    /// Traefik's defaults: sanitize paths, `;` separates query parameters.
    pub fn new() -> Self {
        EntryPathLayer {
            sanitize: true,
            encode_query_semicolons: false,
        }
    }

    /// Whether to remove dot segments and repeated slashes (`http.sanitizePath`).
    pub fn sanitize(mut self, sanitize: bool) -> Self {
        self.sanitize = sanitize;
        self
    }

    /// Whether `;` in queries is forwarded as `%3B` (`http.encodeQuerySemicolons`).
    pub fn encode_query_semicolons(mut self, encode: bool) -> Self {
        self.encode_query_semicolons = encode;
        self
    }

    /// Rewrites `uri` through the pipeline; `Ok(None)` when nothing changes.
    pub fn rewrite(&self, uri: &Uri) -> Result<Option<Uri>, MalformedEscape> {
        let Some(pq) = uri.path_and_query() else {
            return Ok(None);
        };
        let path = pq.path();
        if path == "*" {
            return Ok(None);
        }
        let normalized = normalize_escapes(path)?;
        let cleaned = if self.sanitize {
            match sanitize(&normalized) {
                Cow::Borrowed(_) => normalized,
                Cow::Owned(s) => Cow::Owned(s),
            }
        } else {
            normalized
        };
        let query = pq.query().map(|q| self.rewrite_query(q));
        let query_changed = matches!(query, Some(Cow::Owned(_)));
        if matches!(cleaned, Cow::Borrowed(_)) && !query_changed {
            return Ok(None);
        }
        let mut rebuilt = String::with_capacity(pq.as_str().len() + 8);
        rebuilt.push_str(&cleaned);
        if let Some(query) = query {
            rebuilt.push('?');
            rebuilt.push_str(&query);
        }
        let pq = PathAndQuery::try_from(rebuilt).map_err(|_| MalformedEscape)?;
        let mut parts = uri.clone().into_parts();
        parts.path_and_query = Some(pq);
        Uri::from_parts(parts)
            .map(Some)
            .map_err(|_| MalformedEscape)
    }

    fn rewrite_query<'a>(&self, query: &'a str) -> Cow<'a, str> {
        if !query.contains(';') {
            Cow::Borrowed(query)
        } else if self.encode_query_semicolons {
            Cow::Owned(query.replace(';', "%3B"))
        } else {
            Cow::Owned(query.replace(';', "&"))
        }
    }
}

impl Default for EntryPathLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Layer<S> for EntryPathLayer {
    type Service = EntryPath<S>;

    fn layer(&self, inner: S) -> Self::Service {
        EntryPath {
            inner,
            layer: *self,
        }
    }
}

// === impl EntryPath ===

impl<S> EntryPath<S> {
    /// Wraps `inner` with Traefik's defaults.
    pub fn new(inner: S) -> Self {
        EntryPathLayer::new().layer(inner)
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for EntryPath<S>
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
        match self.layer.rewrite(request.uri()) {
            Ok(None) => {}
            Ok(Some(uri)) => *request.uri_mut() = uri,
            Err(MalformedEscape) => {
                tracing::debug!(uri = %request.uri(), "malformed percent-encoding in path");
                let mut response = Response::new(ResBody::default());
                *response.status_mut() = StatusCode::BAD_REQUEST;
                return ResponseFuture::rejected(response);
            }
        }
        ResponseFuture::inner(self.inner.call(request))
    }
}

// === path functions ===

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Decodes escapes of unreserved characters and upper-cases the others.
///
/// ```
/// use portico_middleware::entry_path::normalize_escapes;
/// assert_eq!(normalize_escapes("/%41%2f%7e").unwrap(), "/A%2F~");
/// assert!(normalize_escapes("/%f").is_err());
/// ```
pub fn normalize_escapes(path: &str) -> Result<Cow<'_, str>, MalformedEscape> {
    let bytes = path.as_bytes();
    let Some(first) = bytes.iter().position(|b| *b == b'%') else {
        return Ok(Cow::Borrowed(path));
    };
    // Check first: most escaped paths are already normal and stay borrowed.
    let mut changed = false;
    let mut i = first;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let (Some(&h), Some(&l)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
                return Err(MalformedEscape);
            };
            let (Some(hv), Some(lv)) = (hex(h), hex(l)) else {
                return Err(MalformedEscape);
            };
            changed |=
                is_unreserved(hv << 4 | lv) || h.is_ascii_lowercase() || l.is_ascii_lowercase();
            i += 3;
        } else {
            i += 1;
        }
    }
    if !changed {
        return Ok(Cow::Borrowed(path));
    }
    let mut out = String::with_capacity(path.len());
    out.push_str(&path[..first]);
    let mut i = first;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let value = (hex(bytes[i + 1]).unwrap_or(0) << 4) | hex(bytes[i + 2]).unwrap_or(0);
            if is_unreserved(value) {
                out.push(char::from(value));
            } else {
                out.push('%');
                out.push(char::from(bytes[i + 1].to_ascii_uppercase()));
                out.push(char::from(bytes[i + 2].to_ascii_uppercase()));
            }
            i += 3;
        } else {
            let next = bytes[i + 1..]
                .iter()
                .position(|b| *b == b'%')
                .map_or(bytes.len(), |p| i + 1 + p);
            out.push_str(&path[i..next]);
            i = next;
        }
    }
    Ok(Cow::Owned(out))
}

/// Removes `.`/`..` segments and repeated slashes like Go's `path.Clean`, keeping a
/// trailing slash.
///
/// ```
/// use portico_middleware::entry_path::sanitize;
/// assert_eq!(sanitize("/a/../b//c/./"), "/b/c/");
/// assert_eq!(sanitize("/a/b/.."), "/a");
/// assert_eq!(sanitize("/ok/path"), "/ok/path");
/// ```
pub fn sanitize(path: &str) -> Cow<'_, str> {
    if !needs_sanitizing(path) {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    // An empty result is the root; a trailing slash is kept.
    if out.is_empty() || path.ends_with('/') {
        out.push('/');
    }
    Cow::Owned(out)
}

fn needs_sanitizing(path: &str) -> bool {
    !path.starts_with('/')
        || path.contains("//")
        || path.contains("/./")
        || path.contains("/../")
        || path.ends_with("/.")
        || path.ends_with("/..")
}

#[cfg(test)]
mod tests;
