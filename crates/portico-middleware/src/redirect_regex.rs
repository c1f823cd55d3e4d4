//! Traefik's `redirectRegex` middleware: redirects when a regular expression
//! rewrites the request's URL.
//!
//! The URL is rebuilt as the client sent it: `http` (or `https` on a TLS
//! connection), the `Host` header, then the request target; an absolute-form target
//! (`GET http://a.example:81/x`) gives its own scheme, host and port. When the
//! expression matches and the replacement (`$1`, `${name}`, `$$`) produces another
//! URL, the client is redirected there: `302 Found` for `GET` (`301` when
//! permanent), `307 Temporary Redirect` for other methods (`308` when permanent),
//! as Traefik answers. A URL the replacement leaves unchanged goes on to the inner
//! service.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::redirect_regex::RedirectRegexLayer;
//! use regex::Regex;
//!
//! let regex = Regex::new("^http://old\\.example\\.com/(.*)").unwrap();
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "home" }))
//!     .layer(RedirectRegexLayer::new(regex, "https://new.example.com/$1").permanent(true));
//! // `GET /a` with `Host: old.example.com` is answered `301`, `Location: https://new.example.com/a`.
//! # let _ = app;
//! ```

use std::{
    sync::{Arc, LazyLock},
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use portico_core::{ConnectionInfo, TlsInfo};
use regex::Regex;
use tower::{Layer, Service};

use crate::ResponseFuture;

/// Go's `uriRegexp`: an absolute-form request target.
static ABSOLUTE_TARGET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(https?)://(\[[0-9A-Za-z_:.]+\]|[0-9A-Za-z_.\-]+)?(:[0-9]+)?(.*)$")
        .unwrap_or_else(|_| unreachable!("a valid constant pattern"))
});

/// Redirects on a regex rewrite of the URL; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct RedirectRegexLayer {
    redirect: Redirect,
}

/// The service made by [`RedirectRegexLayer`].
#[derive(Clone, Debug)]
pub struct RedirectRegex<S> {
    inner: S,
    redirect: Redirect,
}

/// How the URL a request is compared with is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UrlStyle {
    /// `redirectRegex`: the `Host` header as it is.
    Regex,
    /// `redirectScheme`: the port split from `Host`, `X-Forwarded-Proto` honoured,
    /// the scheme's default port dropped.
    Scheme,
}

/// The shared redirect engine of `redirectRegex` and `redirectScheme`.
#[derive(Clone, Debug)]
pub(crate) struct Redirect {
    pub(crate) regex: Regex,
    pub(crate) replacement: Arc<str>,
    pub(crate) permanent: bool,
    pub(crate) style: UrlStyle,
}

// === impl RedirectRegexLayer ===

impl RedirectRegexLayer {
    /// Redirects URLs matching `regex` to `replacement` (temporary redirects).
    pub fn new(regex: Regex, replacement: &str) -> Self {
        RedirectRegexLayer {
            redirect: Redirect {
                regex,
                replacement: Arc::from(replacement),
                permanent: false,
                style: UrlStyle::Regex,
            },
        }
    }

    /// Whether redirects are permanent (`301`/`308`).
    pub fn permanent(mut self, permanent: bool) -> Self {
        self.redirect.permanent = permanent;
        self
    }
}

impl<S> Layer<S> for RedirectRegexLayer {
    type Service = RedirectRegex<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RedirectRegex {
            inner,
            redirect: self.redirect.clone(),
        }
    }
}

// === impl RedirectRegex ===

impl<S> RedirectRegex<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, regex: Regex, replacement: &str) -> Self {
        RedirectRegexLayer::new(regex, replacement).layer(inner)
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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RedirectRegex<S>
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

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        match self.redirect.respond(&request) {
            Some(response) => ResponseFuture::rejected(response),
            None => ResponseFuture::inner(self.inner.call(request)),
        }
    }
}

// === impl Redirect ===

impl Redirect {
    /// The redirect answering `request`, or `None` to let it through.
    pub(crate) fn respond<B, R: From<Bytes>>(&self, request: &Request<B>) -> Option<Response<R>> {
        let old = client_url(request, self.style);
        if !self.regex.is_match(&old) {
            return None;
        }
        let new = self.regex.replace_all(&old, &*self.replacement);
        if new == old {
            return None;
        }
        let Ok(location) = HeaderValue::from_str(&new) else {
            tracing::debug!(location = %new, "redirect: the new URL is not a valid header value");
            let mut response = Response::new(R::from(Bytes::from_static(b"Internal Server Error")));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return Some(response);
        };
        let get = request.method() == Method::GET;
        let status = match (self.permanent, get) {
            (false, true) => StatusCode::FOUND,
            (false, false) => StatusCode::TEMPORARY_REDIRECT,
            (true, true) => StatusCode::MOVED_PERMANENTLY,
            (true, false) => StatusCode::PERMANENT_REDIRECT,
        };
        let text = status.canonical_reason().unwrap_or_default();
        let mut response = Response::new(R::from(Bytes::from_static(text.as_bytes())));
        *response.status_mut() = status;
        response.headers_mut().insert(header::LOCATION, location);
        Some(response)
    }
}

/// Whether the request arrived over TLS (from the entrypoint's connection facts).
pub(crate) fn is_tls<B>(request: &Request<B>) -> bool {
    request.extensions().get::<Arc<TlsInfo>>().is_some()
        || request
            .extensions()
            .get::<ConnectionInfo>()
            .is_some_and(|c| c.tls)
}

/// The request's host as the client gave it: `Host`, else the URI's authority.
pub(crate) fn request_host<B>(request: &Request<B>) -> String {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default()
}

/// Splits `host:port` like Go's `net.SplitHostPort`, but an IPv6 host keeps its
/// brackets (so the rebuilt URL stays valid); `None` without a port.
fn split_host_port(host: &str) -> Option<(&str, &str)> {
    if host.starts_with('[') {
        let close = host.find(']')?;
        let port = host[close + 1..].strip_prefix(':')?;
        return Some((&host[..=close], port));
    }
    let (h, port) = host.rsplit_once(':')?;
    if h.contains(':') {
        return None;
    }
    Some((h, port))
}

/// The URL the client asked for, as Traefik rebuilds it for its redirects.
pub(crate) fn client_url<B>(request: &Request<B>, style: UrlStyle) -> String {
    let mut scheme = "http";
    let raw_host = request_host(request);
    let (mut host, mut port) = match style {
        UrlStyle::Regex => (raw_host, String::new()),
        UrlStyle::Scheme => match split_host_port(&raw_host) {
            Some((h, p)) => (h.to_owned(), format!(":{p}")),
            None => (raw_host.clone(), String::new()),
        },
    };
    let target = request.uri().to_string();
    let mut uri = target.clone();
    if let Some(caps) = ABSOLUTE_TARGET.captures(&target) {
        scheme = if &caps[1] == "https" { "https" } else { "http" };
        if let Some(h) = caps.get(2).filter(|h| !h.as_str().is_empty()) {
            host = h.as_str().to_owned();
        }
        if let Some(p) = caps.get(3).filter(|p| !p.as_str().is_empty()) {
            port = p.as_str().to_owned();
        }
        uri = caps
            .get(4)
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default();
    }
    if is_tls(request) {
        scheme = "https";
    }
    if style == UrlStyle::Scheme {
        if let Some(proto) = request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
        {
            if proto.eq_ignore_ascii_case("http") || proto.eq_ignore_ascii_case("ws") {
                scheme = "http";
            } else if proto.eq_ignore_ascii_case("https") || proto.eq_ignore_ascii_case("wss") {
                scheme = "https";
            }
        }
        if (scheme == "http" && port == ":80") || (scheme == "https" && port == ":443") {
            port.clear();
        }
    }
    format!("{scheme}://{host}{port}{uri}")
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{ServiceExt, service_fn};

    use super::*;

    async fn call(layer: RedirectRegexLayer, request: Request<()>) -> Response<Bytes> {
        let svc = layer.layer(service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new(Bytes::from_static(b"inner")))
        }));
        svc.oneshot(request).await.unwrap()
    }

    fn req(method: &str, uri: &str, host: &str) -> Request<()> {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("host", host)
            .body(())
            .unwrap()
    }

    fn layer(regex: &str, replacement: &str) -> RedirectRegexLayer {
        RedirectRegexLayer::new(Regex::new(regex).unwrap(), replacement)
    }

    #[tokio::test]
    async fn status_depends_on_method_and_permanence() {
        let cases = [
            ("GET", false, 302),
            ("POST", false, 307),
            ("GET", true, 301),
            ("PUT", true, 308),
            ("HEAD", false, 307),
        ];
        for (method, permanent, status) in cases {
            let l = layer("^http://a.example/(.*)", "https://b.example/$1").permanent(permanent);
            let response = call(l, req(method, "/x?y=1", "a.example")).await;
            assert_eq!(response.status(), status, "{method} {permanent}");
            assert_eq!(response.headers()["location"], "https://b.example/x?y=1");
        }
    }

    #[tokio::test]
    async fn body_is_the_status_text() {
        let response = call(layer("^http://a/(.*)", "http://b/$1"), req("GET", "/", "a")).await;
        assert_eq!(response.into_body(), "Found");
    }

    #[tokio::test]
    async fn no_match_or_unchanged_url_goes_through() {
        let response = call(layer("^http://other/", "http://b/"), req("GET", "/", "a")).await;
        assert_eq!(response.into_body(), "inner");
        let response = call(layer("^(.*)$", "$1"), req("GET", "/", "a")).await;
        assert_eq!(response.into_body(), "inner");
    }

    #[test]
    fn client_url_uses_tls_and_absolute_targets() {
        let plain = req("GET", "/p?q", "h.example:8080");
        assert_eq!(
            client_url(&plain, UrlStyle::Regex),
            "http://h.example:8080/p?q"
        );
        assert_eq!(
            client_url(&plain, UrlStyle::Scheme),
            "http://h.example:8080/p?q"
        );
        let mut tls = req("GET", "/p", "h.example:443");
        tls.extensions_mut().insert(ConnectionInfo::new(
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:443".parse().unwrap(),
            "websecure".into(),
            true,
        ));
        assert_eq!(client_url(&tls, UrlStyle::Scheme), "https://h.example/p");
        let absolute = req("GET", "https://abs.example:81/z", "ignored");
        assert_eq!(
            client_url(&absolute, UrlStyle::Regex),
            "https://abs.example:81/z"
        );
    }

    #[test]
    fn forwarded_proto_counts_for_scheme_redirects_only() {
        let r = Request::get("/p")
            .header("host", "h:80")
            .header("x-forwarded-proto", "wss")
            .body(())
            .unwrap();
        assert_eq!(client_url(&r, UrlStyle::Scheme), "https://h:80/p");
        assert_eq!(client_url(&r, UrlStyle::Regex), "http://h:80/p");
    }

    #[test]
    fn host_port_split_handles_ipv6() {
        assert_eq!(split_host_port("[::1]:80"), Some(("[::1]", "80")));
        assert_eq!(split_host_port("a:1"), Some(("a", "1")));
        assert_eq!(split_host_port("a"), None);
        assert_eq!(split_host_port("::1"), None);
    }
}
