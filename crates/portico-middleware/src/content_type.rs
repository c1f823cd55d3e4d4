//! Traefik's `contentType` middleware: guesses a missing response `Content-Type`
//! from the body, as Go's `net/http` does by default.
//!
//! Traefik v3 (and Portico) leave a response without `Content-Type` as it is;
//! this middleware turns Go's detection back on for the routers using it. A
//! response with a body, no `Content-Type`, no `Content-Encoding`, and a status
//! that allows a body gets the type [`detect_content_type`] finds in its first
//! 512 bytes. The body is otherwise streamed untouched (at most 512 bytes are held
//! back while sniffing). `autoDetect: false` makes the middleware do nothing,
//! which is what the router builds for it.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::content_type::ContentTypeLayer;
//!
//! let app: Router = Router::new()
//!     .route("/", get(|| async { axum::body::Body::from("<html><body>hi</body></html>") }))
//!     .layer(ContentTypeLayer::new());
//! // The response gets `Content-Type: text/html; charset=utf-8`.
//! # let _ = app;
//! ```

mod sniff;

use std::{
    collections::VecDeque,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::BodyExt;
use pin_project_lite::pin_project;
use portico_core::{Body, BoxError};
use tower::{Layer, Service};

pub use self::sniff::{SNIFF_LEN, detect_content_type};
use crate::basic_auth::BoxResponseFuture;

/// Detects missing content types; see the [module docs](self).
#[derive(Clone, Copy, Debug, Default)]
pub struct ContentTypeLayer {
    _priv: (),
}

/// The service made by [`ContentTypeLayer`].
#[derive(Clone, Debug)]
pub struct ContentType<S> {
    inner: S,
}

// === impl ContentTypeLayer ===

impl ContentTypeLayer {
    /// Detection on.
    pub fn new() -> Self {
        ContentTypeLayer { _priv: () }
    }
}

impl<S> Layer<S> for ContentTypeLayer {
    type Service = ContentType<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ContentType { inner }
    }
}

// === impl ContentType ===

impl<S> ContentType<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        ContentType { inner }
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

impl<S, ReqBody> Service<Request<ReqBody>> for ContentType<S>
where
    S: Service<Request<ReqBody>, Response = Response<Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxResponseFuture<Body, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let head = request.method() == Method::HEAD;
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await?;
            if head || !wants_sniffing(&response) {
                return Ok(response);
            }
            Ok(sniff(response).await)
        })
    }
}

fn wants_sniffing(response: &Response<Body>) -> bool {
    let headers = response.headers();
    let status = response.status();
    !headers.contains_key(header::CONTENT_TYPE)
        && headers
            .get(header::CONTENT_ENCODING)
            .is_none_or(|v| v.is_empty())
        && !status.is_informational()
        && status != StatusCode::NO_CONTENT
        && status != StatusCode::NOT_MODIFIED
}

/// Reads up to [`SNIFF_LEN`] bytes of the body, sets the detected type, and
/// returns the response with the read frames put back in front of the rest.
async fn sniff(response: Response<Body>) -> Response<Body> {
    let (mut parts, mut body) = response.into_parts();
    let mut held: VecDeque<Frame<Bytes>> = VecDeque::new();
    let mut sample = Vec::new();
    let mut failed = None;
    while sample.len() < SNIFF_LEN {
        match body.frame().await {
            None => break,
            Some(Err(error)) => {
                failed = Some(BoxError::from(error));
                break;
            }
            Some(Ok(frame)) => {
                let trailers = frame.is_trailers();
                if let Some(data) = frame.data_ref() {
                    sample.extend_from_slice(&data[..data.len().min(SNIFF_LEN - sample.len())]);
                }
                held.push_back(frame);
                if trailers {
                    break;
                }
            }
        }
    }
    if !sample.is_empty() {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(detect_content_type(&sample)),
        );
    }
    Response::from_parts(
        parts,
        Body::new(Replayed {
            held,
            failed,
            rest: body,
        }),
    )
}

pin_project! {
    /// Frames already read, then the rest of the body.
    struct Replayed {
        held: VecDeque<Frame<Bytes>>,
        failed: Option<BoxError>,
        #[pin]
        rest: Body,
    }
}

impl HttpBody for Replayed {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        if let Some(frame) = this.held.pop_front() {
            return Poll::Ready(Some(Ok(frame)));
        }
        if let Some(error) = this.failed.take() {
            return Poll::Ready(Some(Err(error)));
        }
        this.rest.poll_frame(cx).map_err(BoxError::from)
    }

    fn is_end_stream(&self) -> bool {
        self.held.is_empty() && self.failed.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let held: u64 = self
            .held
            .iter()
            .filter_map(|f| f.data_ref())
            .map(|d| d.len() as u64)
            .sum();
        let rest = self.rest.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower() + held);
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper + held);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{ServiceExt, service_fn};

    use super::*;

    async fn run(method: Method, build: fn() -> Response<Body>) -> (Option<String>, Bytes) {
        let svc = ContentTypeLayer::new().layer(service_fn(move |_req: Request<()>| async move {
            Ok::<_, Infallible>(build())
        }));
        let request = Request::builder().method(method).uri("/").body(()).unwrap();
        let response = svc.oneshot(request).await.unwrap();
        let ct = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (ct, body)
    }

    #[tokio::test]
    async fn detects_a_missing_type_and_keeps_the_body() {
        let (ct, body) = run(Method::GET, || {
            Response::new(Body::from("<html><p>x</p></html>"))
        })
        .await;
        assert_eq!(ct.as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!(body, "<html><p>x</p></html>");
    }

    /// A body yielding its chunks one frame at a time.
    struct Chunks(VecDeque<Bytes>);

    impl HttpBody for Chunks {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
        }
    }

    #[tokio::test]
    async fn streamed_bodies_are_replayed_whole() {
        let (ct, body) = run(Method::GET, || {
            let chunks = (0..100)
                .map(|i| Bytes::from(format!("line {i}\n")))
                .collect();
            Response::new(Body::new(Chunks(chunks)))
        })
        .await;
        assert_eq!(ct.as_deref(), Some("text/plain; charset=utf-8"));
        let expected: String = (0..100).map(|i| format!("line {i}\n")).collect();
        assert_eq!(body, expected);
    }

    #[tokio::test]
    async fn present_types_encodings_and_empty_bodies_are_left_alone() {
        let (ct, _) = run(Method::GET, || {
            let mut r = Response::new(Body::from("<html>"));
            r.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("application/x-custom"),
            );
            r
        })
        .await;
        assert_eq!(ct.as_deref(), Some("application/x-custom"));
        let (ct, _) = run(Method::GET, || {
            let mut r = Response::new(Body::from(&b"\x1f\x8b\x08"[..]));
            r.headers_mut()
                .insert("content-encoding", HeaderValue::from_static("gzip"));
            r
        })
        .await;
        assert_eq!(ct, None);
        let (ct, _) = run(Method::GET, || Response::new(Body::empty())).await;
        assert_eq!(ct, None);
        let (ct, _) = run(Method::HEAD, || Response::new(Body::from("<html>"))).await;
        assert_eq!(ct, None);
        let (ct, _) = run(Method::GET, || {
            let mut r = Response::new(Body::from("x"));
            *r.status_mut() = StatusCode::NO_CONTENT;
            r
        })
        .await;
        assert_eq!(ct, None);
    }
}
