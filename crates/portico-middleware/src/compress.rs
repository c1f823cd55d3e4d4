//! Traefik's `compress`: gzip, Brotli or zstd responses, negotiated from
//! `Accept-Encoding`.
//!
//! The encoding is chosen as Traefik does: the supported codings of
//! `Accept-Encoding` (all lines, `q` values, `q=0` refused) sorted by weight, ties
//! broken by the configured `encodings` order (`*` first, `identity` last); `*`
//! means the `default_encoding`, else the first encoding. Without
//! `Accept-Encoding` the `default_encoding` is used if set, else nothing is
//! compressed; an empty `Accept-Encoding` means no compression.
//!
//! When an encoding is chosen, `Vary: Accept-Encoding` is added, and the response
//! is compressed unless:
//! - the request is `HEAD`, carries `Range`, or its own `Content-Type` is excluded;
//! - the response is already encoded (`Content-Encoding`), partial (`206` or
//!   `Content-Range`), has no body (`1xx`, `204`, `304`), or has an unparsable
//!   `Content-Type`;
//! - its media type is excluded (`application/grpc` always is), or not included
//!   when included types are set;
//! - its body is smaller than `min_size` (1024 bytes by default): known from
//!   `Content-Length`, or found by reading at most `min_size` bytes first.
//!
//! Compressed bodies stream: they are encoded as the backend's bytes arrive and
//! flushed whenever the backend pauses. `Content-Length` and `Accept-Ranges` are
//! removed. Unlike Traefik, a response without `Content-Type` is not sniffed (the
//! `contentType` middleware owns that) and is compressed.
//!
//! Responses are `http::Response<portico_core::Body>` (axum's body type).
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::compress::{CompressLayer, Encoding};
//!
//! let layer = CompressLayer::new()
//!     .encodings(vec![Encoding::Brotli, Encoding::Gzip])
//!     .min_size(256)
//!     .excluded_content_types(vec!["image/png".into()]);
//! let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
//! # let _ = app;
//! ```

mod body;
mod negotiate;

use std::{
    future::Future,
    pin::Pin,
    str::FromStr,
    sync::Arc,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{
    HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header, response::Parts,
};
use http_body_util::BodyExt;
use portico_core::{Body, BoxError, BufferedBody};
use tower::{Layer, Service};

use crate::ip_allow_list::status_text;

/// A content coding the layer can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Zstandard (`zstd`).
    Zstd,
    /// Brotli (`br`).
    Brotli,
    /// gzip (`gzip`).
    Gzip,
}

/// An encoding name other than `zstd`, `br` or `gzip`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported encoding {0:?}: expected zstd, br or gzip")]
pub struct UnknownEncoding(pub String);

/// Compresses responses; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct CompressLayer {
    config: Arc<Config>,
}

#[derive(Clone, Debug)]
struct Config {
    encodings: Vec<Encoding>,
    default: Option<Encoding>,
    min_size: u64,
    excluded: Vec<String>,
    included: Vec<String>,
}

/// The service made by [`CompressLayer`].
#[derive(Clone, Debug)]
pub struct Compress<S> {
    inner: S,
    config: Arc<Config>,
}

/// The response future of [`Compress`].
pub type CompressFuture<E> = Pin<Box<dyn Future<Output = Result<Response<Body>, E>> + Send>>;

// === impl Encoding ===

impl Encoding {
    /// The `Content-Encoding` token.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Zstd => "zstd",
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

impl FromStr for Encoding {
    type Err = UnknownEncoding;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zstd" => Ok(Encoding::Zstd),
            "br" => Ok(Encoding::Brotli),
            "gzip" => Ok(Encoding::Gzip),
            _ => Err(UnknownEncoding(s.to_owned())),
        }
    }
}

// === impl CompressLayer ===

impl CompressLayer {
    /// Traefik's defaults: `zstd`, `br`, `gzip` by priority, no default encoding,
    /// 1024 bytes minimum, only `application/grpc` excluded.
    pub fn new() -> Self {
        CompressLayer {
            config: Arc::new(Config {
                encodings: vec![Encoding::Zstd, Encoding::Brotli, Encoding::Gzip],
                default: None,
                min_size: 1024,
                excluded: Vec::new(),
                included: Vec::new(),
            }),
        }
    }

    fn with(self, change: impl FnOnce(&mut Config)) -> Self {
        let mut config = (*self.config).clone();
        change(&mut config);
        CompressLayer {
            config: Arc::new(config),
        }
    }

    /// The encodings offered, by priority (`encodings`); an empty list disables
    /// compression.
    pub fn encodings(self, encodings: Vec<Encoding>) -> Self {
        self.with(|c| c.encodings = encodings)
    }

    /// The encoding used without `Accept-Encoding` or for `*` (`defaultEncoding`).
    pub fn default_encoding(self, encoding: Option<Encoding>) -> Self {
        self.with(|c| c.default = encoding)
    }

    /// The smallest body compressed, in bytes (`minResponseBodyBytes`).
    pub fn min_size(self, bytes: u64) -> Self {
        self.with(|c| c.min_size = bytes)
    }

    /// Media types (`type/subtype`, parameters ignored) never compressed, on top of
    /// `application/grpc` (`excludedContentTypes`).
    pub fn excluded_content_types(self, types: Vec<String>) -> Self {
        self.with(|c| c.excluded = types.iter().map(|t| essence(t)).collect())
    }

    /// When not empty, only these media types are compressed
    /// (`includedContentTypes`).
    pub fn included_content_types(self, types: Vec<String>) -> Self {
        self.with(|c| c.included = types.iter().map(|t| essence(t)).collect())
    }
}

impl Default for CompressLayer {
    fn default() -> Self {
        CompressLayer::new()
    }
}

impl<S> Layer<S> for CompressLayer {
    type Service = Compress<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Compress {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The lower-case `type/subtype` of a media type, or an empty string.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

impl Config {
    fn excluded(&self, media_type: &str) -> bool {
        media_type == "application/grpc" || self.excluded.iter().any(|e| e == media_type)
    }

    /// The encoding for this request, if any.
    fn choose<B>(&self, request: &Request<B>) -> Option<Encoding> {
        if request.method() == Method::HEAD
            || request.headers().contains_key(header::RANGE)
            || self.encodings.is_empty()
        {
            return None;
        }
        let request_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(essence)
            .unwrap_or_default();
        if self.excluded(&request_type) {
            return None;
        }
        let lines: Vec<&str> = request
            .headers()
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .map(|v| v.to_str().unwrap_or_default())
            .collect();
        if lines.is_empty() {
            return self.default;
        }
        negotiate::choose(&lines, &self.encodings, self.default)
    }

    /// Whether this response may be compressed, from its head alone.
    fn compressible(&self, parts: &Parts) -> bool {
        let status = parts.status;
        if status.is_informational()
            || status == StatusCode::NO_CONTENT
            || status == StatusCode::NOT_MODIFIED
            || status == StatusCode::PARTIAL_CONTENT
            || parts.headers.contains_key(header::CONTENT_ENCODING)
            || parts.headers.contains_key(header::CONTENT_RANGE)
        {
            return false;
        }
        let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) else {
            return self.included.is_empty();
        };
        let media_type = content_type.to_str().map(essence).unwrap_or_default();
        if !media_type.contains('/') {
            return false;
        }
        if !self.included.is_empty() {
            return self.included.contains(&media_type);
        }
        !self.excluded(&media_type)
    }
}

// === impl Compress ===

impl<S> Compress<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for Compress<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
    S::Future: Send + 'static,
    ResB: http_body::Body<Data = Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = CompressFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        let encoding = self.config.choose(&request);
        let future = self.inner.call(request);
        let config = self.config.clone();
        Box::pin(async move {
            let response = future.await?;
            Ok(match encoding {
                None => response.map(Body::new),
                Some(encoding) => compress(&config, encoding, response.map(Body::new)).await,
            })
        })
    }
}

async fn compress(config: &Config, encoding: Encoding, response: Response<Body>) -> Response<Body> {
    let (mut parts, mut body) = response.into_parts();
    append_vary(&mut parts.headers);
    if !config.compressible(&parts) {
        return Response::from_parts(parts, body);
    }
    let length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match length {
        Some(len) if len < config.min_size => return Response::from_parts(parts, body),
        Some(_) => return encode(parts, body, encoding),
        None => {}
    }
    // Unknown length: read up to the minimum before deciding.
    let mut read = BufferedBody::default();
    while read.len() < config.min_size {
        match body.frame().await {
            None => {
                parts
                    .headers
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(read.len()));
                return Response::from_parts(parts, read.body());
            }
            Some(Err(error)) => {
                tracing::debug!(%error, "reading the response to compress failed");
                return status_text(StatusCode::BAD_GATEWAY);
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => {
                    read.push(data);
                }
                Err(frame) => {
                    // Trailers end the body: too small to compress.
                    read.set_trailers(frame.into_trailers().ok());
                    return Response::from_parts(parts, read.body());
                }
            },
        }
    }
    encode(parts, read.then(body), encoding)
}

fn encode(mut parts: Parts, body: Body, encoding: Encoding) -> Response<Body> {
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::ACCEPT_RANGES);
    parts.headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(encoding.as_str()),
    );
    Response::from_parts(parts, body::encode(body, encoding))
}

/// Adds `Accept-Encoding` to `Vary` unless it is there.
fn append_vary(headers: &mut HeaderMap) {
    let present = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("accept-encoding") || t.trim() == "*")
        })
    });
    if !present {
        headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
}

#[cfg(test)]
mod tests;
