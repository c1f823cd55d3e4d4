//! Traefik's `redirectScheme` middleware: redirects clients to another scheme
//! (typically `http` to `https`), optionally to another port.
//!
//! The client's URL is rebuilt as Traefik does: the scheme is `https` on a TLS
//! connection and otherwise follows `X-Forwarded-Proto` (`ws`/`wss` count as
//! `http`/`https`), the port comes from `Host` and a scheme's default port is
//! dropped. The redirect goes to `scheme://host[:port]/target`; a request already on
//! that scheme and port goes on to the inner service. Statuses as in
//! [`redirect_regex`](crate::redirect_regex): `302`/`307`, or `301`/`308` when
//! permanent.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::redirect_scheme::RedirectSchemeLayer;
//!
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "secure" }))
//!     .layer(RedirectSchemeLayer::new("https").port("8443").permanent(true));
//! // `GET http://example.com/a` is answered `301`, `Location: https://example.com:8443/a`.
//! # let _ = app;
//! ```

use std::{
    sync::{Arc, LazyLock},
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{Request, Response};
use regex::Regex;
use tower::{Layer, Service};

use crate::{
    ResponseFuture,
    redirect_regex::{Redirect, UrlStyle},
};

/// Traefik's `uriPattern`: an optional scheme, host, port, then the rest.
static URI_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(https?://)?(\[[0-9A-Za-z_:.]+\]|[0-9A-Za-z_.\-]+)?(:[0-9]+)?(.*)$")
        .unwrap_or_else(|_| unreachable!("a valid constant pattern"))
});

/// Redirects to another scheme; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct RedirectSchemeLayer {
    scheme: Arc<str>,
    port: Option<Arc<str>>,
    permanent: bool,
}

/// The service made by [`RedirectSchemeLayer`].
#[derive(Clone, Debug)]
pub struct RedirectScheme<S> {
    inner: S,
    redirect: Redirect,
}

// === impl RedirectSchemeLayer ===

impl RedirectSchemeLayer {
    /// Redirects to `scheme` on the request's host, without a port (temporary
    /// redirects).
    pub fn new(scheme: &str) -> Self {
        RedirectSchemeLayer {
            scheme: Arc::from(scheme),
            port: None,
            permanent: false,
        }
    }

    /// Redirects to this port (dropped when it is the scheme's default, `80` for
    /// `http` and `443` for `https`).
    pub fn port(mut self, port: &str) -> Self {
        self.port = (!port.is_empty()).then(|| Arc::from(port));
        self
    }

    /// Whether redirects are permanent (`301`/`308`).
    pub fn permanent(mut self, permanent: bool) -> Self {
        self.permanent = permanent;
        self
    }

    fn redirect(&self) -> Redirect {
        let port = match self.port.as_deref() {
            Some(p)
                if !((&*self.scheme == "http" && p == "80")
                    || (&*self.scheme == "https" && p == "443")) =>
            {
                format!(":{p}")
            }
            _ => String::new(),
        };
        // `$` in the scheme or port would read as a group reference.
        let literal = |s: &str| s.replace('$', "$$");
        Redirect {
            regex: URI_PATTERN.clone(),
            replacement: Arc::from(format!(
                "{}://${{2}}{}${{4}}",
                literal(&self.scheme),
                literal(&port)
            )),
            permanent: self.permanent,
            style: UrlStyle::Scheme,
        }
    }
}

impl<S> Layer<S> for RedirectSchemeLayer {
    type Service = RedirectScheme<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RedirectScheme {
            inner,
            redirect: self.redirect(),
        }
    }
}

// === impl RedirectScheme ===

impl<S> RedirectScheme<S> {
    /// Wraps `inner`, redirecting to `scheme`.
    pub fn new(inner: S, scheme: &str) -> Self {
        RedirectSchemeLayer::new(scheme).layer(inner)
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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RedirectScheme<S>
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

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http::StatusCode;
    use tower::{ServiceExt, service_fn};

    use super::*;

    async fn call(layer: &RedirectSchemeLayer, request: Request<()>) -> Response<Bytes> {
        let svc = layer.layer(service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new(Bytes::from_static(b"inner")))
        }));
        svc.oneshot(request).await.unwrap()
    }

    fn get(uri: &str, host: &str, proto: Option<&str>) -> Request<()> {
        let mut b = Request::get(uri).header("host", host);
        if let Some(p) = proto {
            b = b.header("x-forwarded-proto", p);
        }
        b.body(()).unwrap()
    }

    async fn location(layer: &RedirectSchemeLayer, request: Request<()>) -> Option<String> {
        let response = call(layer, request).await;
        response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
    }

    #[tokio::test]
    async fn redirects_http_to_https() {
        let l = RedirectSchemeLayer::new("https");
        let response = call(&l, get("/a?b=c", "example.com", Some("http"))).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(response.headers()["location"], "https://example.com/a?b=c");
        assert_eq!(
            location(&l, get("/a", "example.com:8080", None))
                .await
                .as_deref(),
            Some("https://example.com/a")
        );
    }

    #[tokio::test]
    async fn ports_and_defaults() {
        let l = RedirectSchemeLayer::new("https").port("8443");
        assert_eq!(
            location(&l, get("/", "example.com", None)).await.as_deref(),
            Some("https://example.com:8443/")
        );
        let l = RedirectSchemeLayer::new("https").port("443");
        assert_eq!(
            location(&l, get("/", "example.com:80", None))
                .await
                .as_deref(),
            Some("https://example.com/")
        );
        let l = RedirectSchemeLayer::new("http").port("80");
        assert_eq!(
            location(&l, get("/", "example.com:443", Some("https")))
                .await
                .as_deref(),
            Some("http://example.com/")
        );
    }

    #[tokio::test]
    async fn already_on_the_target_goes_through() {
        let l = RedirectSchemeLayer::new("https");
        let response = call(&l, get("/", "example.com", Some("https"))).await;
        assert_eq!(response.into_body(), "inner");
        let response = call(&l, get("/", "example.com:443", Some("wss"))).await;
        assert_eq!(response.into_body(), "inner");
        let l = RedirectSchemeLayer::new("https").port("8443");
        let response = call(&l, get("/", "example.com:8443", Some("https"))).await;
        assert_eq!(response.into_body(), "inner");
    }

    #[tokio::test]
    async fn permanent_and_method() {
        let l = RedirectSchemeLayer::new("https").permanent(true);
        let post = Request::post("/").header("host", "a").body(()).unwrap();
        assert_eq!(
            call(&l, post).await.status(),
            StatusCode::PERMANENT_REDIRECT
        );
        assert_eq!(
            call(&l, get("/", "a", None)).await.status(),
            StatusCode::MOVED_PERMANENTLY
        );
    }

    #[tokio::test]
    async fn ipv6_hosts_keep_brackets() {
        let l = RedirectSchemeLayer::new("https");
        assert_eq!(
            location(&l, get("/", "[::1]:80", None)).await.as_deref(),
            Some("https://[::1]/")
        );
    }
}
