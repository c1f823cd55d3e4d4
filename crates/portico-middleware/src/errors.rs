//! Traefik's `errors`: replace error responses with a page from another service.
//!
//! When the wrapped service answers a status within the configured ranges, its
//! body is dropped and a `GET` for the `query` path is sent to the error service
//! instead; the client gets the error service's headers and body with the
//! original status, or the status it is rewritten to (`status_rewrites`, first
//! match wins). In the query, `{status}` is the status answered, `{originalStatus}`
//! the backend's, and `{url}` the original request target, query-escaped as Go's
//! `url.QueryEscape` does. The page request carries the client's headers (all of
//! them, or only `request_headers` when set; `Host` always, so the error service
//! sees the client's host unless its `passHostHeader` is off) and the connection
//! facts, so forwarding headers stay right. The page streams; it is not buffered.
//!
//! Requests and responses use `portico_core::Body` (axum's body type).
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//! use axum::{Router, routing::get};
//! use portico_core::{Body, HttpRequest, HttpResponse};
//! use portico_middleware::errors::ErrorPagesLayer;
//!
//! let pages = tower::service_fn(|request: HttpRequest| async move {
//!     let page = format!("<h1>Sorry</h1><!-- {} -->", request.uri());
//!     Ok::<_, Infallible>(HttpResponse::new(Body::from(page)))
//! });
//! let layer = ErrorPagesLayer::new(vec![(500, 599)], pages).query("/{status}.html");
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Method, Request, Response, StatusCode, Uri, header};
use portico_core::{Body, BoxError, ConnectionInfo};
use tower::{Layer, Service, ServiceExt};

use crate::ip_allow_list::status_text;

/// Serves error pages from another service; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct ErrorPagesLayer<E> {
    config: Arc<Config>,
    pages: E,
}

#[derive(Clone, Debug)]
struct Config {
    statuses: Vec<(u16, u16)>,
    rewrites: Vec<(Vec<(u16, u16)>, StatusCode)>,
    query: Option<String>,
    headers: Option<Vec<HeaderName>>,
}

/// The service made by [`ErrorPagesLayer`].
#[derive(Clone, Debug)]
pub struct ErrorPages<S, E> {
    inner: S,
    pages: E,
    config: Arc<Config>,
}

// === impl ErrorPagesLayer ===

impl<E> ErrorPagesLayer<E> {
    /// Error pages from `pages` for responses with a status within `statuses`
    /// (inclusive ranges), requested at `/`.
    pub fn new(statuses: Vec<(u16, u16)>, pages: E) -> Self {
        ErrorPagesLayer {
            config: Arc::new(Config {
                statuses,
                rewrites: Vec::new(),
                query: None,
                headers: None,
            }),
            pages,
        }
    }

    fn with(self, change: impl FnOnce(&mut Config)) -> Self {
        let mut config = (*self.config).clone();
        change(&mut config);
        ErrorPagesLayer {
            config: Arc::new(config),
            pages: self.pages,
        }
    }

    /// The path (and query) requested from the error service, with `{status}`,
    /// `{originalStatus}` and `{url}` replaced (`query`).
    pub fn query(self, query: impl Into<String>) -> Self {
        let query = query.into();
        self.with(|c| c.query = Some(query))
    }

    /// Answers statuses within each set of ranges with another status instead
    /// (`statusRewrites`; the first match wins).
    pub fn status_rewrites(self, rewrites: Vec<(Vec<(u16, u16)>, StatusCode)>) -> Self {
        self.with(|c| c.rewrites = rewrites)
    }

    /// Passes only these request headers (and `Host`) to the error service
    /// (`errorRequestHeaders`); `None`, the default, passes them all.
    pub fn request_headers(self, headers: Option<Vec<HeaderName>>) -> Self {
        self.with(|c| c.headers = headers)
    }
}

impl<S, E: Clone> Layer<S> for ErrorPagesLayer<E> {
    type Service = ErrorPages<S, E>;

    fn layer(&self, inner: S) -> Self::Service {
        ErrorPages {
            inner,
            pages: self.pages.clone(),
            config: self.config.clone(),
        }
    }
}

// === impl ErrorPages ===

impl<S, E> ErrorPages<S, E> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

/// What the error page request needs from the original request.
struct Origin {
    target: String,
    headers: HeaderMap,
    connection: Option<ConnectionInfo>,
}

impl<S, E, ReqB, ResB, PageB> Service<Request<ReqB>> for ErrorPages<S, E>
where
    S: Service<Request<ReqB>, Response = Response<ResB>, Error = Infallible>,
    S::Future: Send + 'static,
    E: Service<Request<Body>, Response = Response<PageB>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    E::Future: Send,
    ResB: http_body::Body<Data = Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
    PageB: http_body::Body<Data = Bytes> + Send + 'static,
    PageB::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        let origin = Origin {
            target: request
                .uri()
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            headers: self.config.copy_headers(request.headers()),
            connection: request.extensions().get::<ConnectionInfo>().cloned(),
        };
        let future = self.inner.call(request);
        let pages = self.pages.clone();
        let config = self.config.clone();
        Box::pin(async move {
            let response = future.await?;
            let original = response.status().as_u16();
            if !in_ranges(&config.statuses, original) {
                return Ok(response.map(Body::new));
            }
            drop(response);
            Ok(page(&config, pages, origin, original).await)
        })
    }
}

fn in_ranges(ranges: &[(u16, u16)], status: u16) -> bool {
    ranges
        .iter()
        .any(|(low, high)| (*low..=*high).contains(&status))
}

impl Config {
    fn copy_headers(&self, headers: &HeaderMap) -> HeaderMap {
        let mut out = HeaderMap::new();
        // The page request has no body.
        let skip =
            |name: &HeaderName| name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING;
        match &self.headers {
            None => {
                for (name, value) in headers {
                    if !skip(name) {
                        out.append(name.clone(), value.clone());
                    }
                }
            }
            Some(names) => {
                for name in names.iter().chain(std::iter::once(&header::HOST)) {
                    if skip(name) {
                        continue;
                    }
                    for value in headers.get_all(name) {
                        out.append(name.clone(), value.clone());
                    }
                }
            }
        }
        out
    }
}

async fn page<E, PageB>(config: &Config, pages: E, origin: Origin, original: u16) -> Response<Body>
where
    E: Service<Request<Body>, Response = Response<PageB>, Error = Infallible>,
    PageB: http_body::Body<Data = Bytes> + Send + 'static,
    PageB::Error: Into<BoxError>,
{
    let status = config
        .rewrites
        .iter()
        .find(|(ranges, _)| in_ranges(ranges, original))
        .map_or_else(
            || StatusCode::from_u16(original).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            |(_, to)| *to,
        );
    let path = match &config.query {
        None => "/".to_owned(),
        Some(query) => format!("/{}", query.trim_start_matches('/'))
            .replace("{status}", status.as_str())
            .replace("{originalStatus}", &original.to_string())
            .replace("{url}", &query_escape(&origin.target)),
    };
    let Ok(uri) = path.parse::<Uri>() else {
        tracing::warn!(path, "error page query is not a valid request target");
        return status_text(status);
    };
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.headers_mut() = origin.headers;
    if let Some(connection) = origin.connection {
        request.extensions_mut().insert(connection);
    }
    let Ok(response) = pages.oneshot(request).await;
    let (mut parts, body) = response.into_parts();
    tracing::debug!(original, status = status.as_u16(), "served an error page");
    parts.status = status;
    Response::from_parts(parts, Body::new(body))
}

/// Go's `url.QueryEscape`: unreserved bytes kept, spaces as `+`, the rest `%XX`.
fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests;
