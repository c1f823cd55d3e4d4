use std::{
    convert::Infallible,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::BodyExt;
use portico_core::Body;
use tower::{Layer, ServiceExt, service_fn, util::BoxCloneService};

use super::*;

/// What the backend saw of one request: its `Content-Length` and body.
type Sighting = (Option<String>, String);

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Sighting>>>);

impl Seen {
    fn all(&self) -> Vec<Sighting> {
        self.0.lock().expect("lock").clone()
    }
}

/// A backend recording (Content-Length, body) and answering `statuses` in turn
/// with a body of `reply_len` bytes.
fn backend(
    layer: &BufferingLayer,
    statuses: Vec<u16>,
    reply_len: usize,
    seen: Seen,
) -> BoxCloneService<Request<Body>, Response<Body>, Infallible> {
    BoxCloneService::new(layer.layer(service_fn(move |request: Request<Body>| {
        let seen = seen.clone();
        let statuses = statuses.clone();
        async move {
            let length = request
                .headers()
                .get("content-length")
                .map(|v| v.to_str().expect("ascii").to_owned());
            let body = request.into_body().collect().await.map(|b| b.to_bytes());
            let n = {
                let mut all = seen.0.lock().expect("lock");
                all.push((
                    length,
                    String::from_utf8_lossy(&body.unwrap_or_default()).into_owned(),
                ));
                all.len()
            };
            let mut response = Response::new(Body::new(Chunked::new(vec![b'x'; reply_len])));
            *response.status_mut() =
                StatusCode::from_u16(statuses[(n - 1).min(statuses.len() - 1)]).expect("status");
            Ok::<_, Infallible>(response)
        }
    })))
}

/// A body without a known length, in 7-byte chunks.
struct Chunked(std::collections::VecDeque<Bytes>);

impl Chunked {
    fn new(bytes: Vec<u8>) -> Chunked {
        Chunked(bytes.chunks(7).map(Bytes::copy_from_slice).collect())
    }
}

impl http_body::Body for Chunked {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|c| Ok(Frame::data(c))))
    }
}

fn post(body: &str, declared: bool) -> Request<Body> {
    let mut builder = Request::post("/upload");
    if declared {
        builder = builder.header("content-length", body.len());
    }
    builder
        .body(Body::new(Chunked::new(body.as_bytes().to_vec())))
        .expect("request")
}

async fn text(response: Response<Body>) -> String {
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn over_the_request_limit_is_413_without_calling_the_backend() {
    let layer = BufferingLayer::new().max_request_body_bytes(10);
    let seen = Seen::default();
    let svc = backend(&layer, vec![200], 3, seen.clone());
    let declared = svc
        .clone()
        .oneshot(post("0123456789ABC", true))
        .await
        .expect("ok");
    assert_eq!(declared.status(), 413);
    assert_eq!(text(declared).await, "Request Entity Too Large");
    let chunked = svc
        .clone()
        .oneshot(post("0123456789ABC", false))
        .await
        .expect("ok");
    assert_eq!(chunked.status(), 413);
    assert!(seen.all().is_empty());
    let fits = svc.oneshot(post("0123456789", false)).await.expect("ok");
    assert_eq!(fits.status(), 200);
    assert_eq!(
        seen.all(),
        vec![(Some("10".to_owned()), "0123456789".to_owned())]
    );
}

#[tokio::test]
async fn bodies_spill_to_disk_and_come_back_intact() {
    let layer = BufferingLayer::new()
        .mem_request_body_bytes(8)
        .mem_response_body_bytes(8);
    let seen = Seen::default();
    let svc = backend(&layer, vec![200], 1000, seen.clone());
    let payload = "spilled to a temporary file ".repeat(20);
    let response = svc.oneshot(post(&payload, false)).await.expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"], "1000");
    assert_eq!(text(response).await, "x".repeat(1000));
    assert_eq!(seen.all(), vec![(Some(payload.len().to_string()), payload)]);
}

#[tokio::test]
async fn over_the_response_limit_is_500() {
    let layer = BufferingLayer::new().max_response_body_bytes(100);
    let seen = Seen::default();
    let svc = backend(&layer, vec![200], 101, seen.clone());
    let response = svc.clone().oneshot(post("", false)).await.expect("ok");
    assert_eq!(response.status(), 500);
    assert_eq!(text(response).await, "Internal Server Error");
    let svc = backend(&layer, vec![201], 100, seen);
    let response = svc.oneshot(post("", false)).await.expect("ok");
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["content-length"], "100");
}

#[tokio::test]
async fn retry_expression_replays_the_request() {
    let layer = BufferingLayer::new()
        .retry_expression("IsNetworkError() && Attempts() < 3")
        .expect("expression");
    let seen = Seen::default();
    let svc = backend(&layer, vec![502, 504, 502, 200], 2, seen.clone());
    let response = svc.oneshot(post("again", false)).await.expect("ok");
    // Attempts 1 and 2 fail and are retried; attempt 3 fails and is returned.
    assert_eq!(response.status(), 502);
    let all = seen.all();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|(_, body)| body == "again"));

    let layer = BufferingLayer::new()
        .retry_expression("ResponseCode() == 503 || (IsNetworkError() && Attempts() <= 2)")
        .expect("expression");
    let seen = Seen::default();
    let svc = backend(&layer, vec![503, 502, 200], 2, seen.clone());
    let response = svc.oneshot(post("x", true)).await.expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(seen.all().len(), 3);
}

#[tokio::test]
async fn retries_stop_after_ten() {
    let layer = BufferingLayer::new()
        .retry_expression("IsNetworkError()")
        .expect("expression");
    let seen = Seen::default();
    let svc = backend(&layer, vec![502], 0, seen.clone());
    assert_eq!(
        svc.oneshot(post("", false)).await.expect("ok").status(),
        502
    );
    assert_eq!(seen.all().len(), 11);
}

#[tokio::test]
async fn unbuffered_sides_stream() {
    let layer = BufferingLayer::new()
        .max_request_body_bytes(10)
        .request_buffer(false)
        .response_buffer(false);
    let seen = Seen::default();
    let svc = backend(&layer, vec![200], 50, seen.clone());
    let declared = svc
        .clone()
        .oneshot(post("0123456789ABC", true))
        .await
        .expect("ok");
    assert_eq!(declared.status(), 413);
    let response = svc.clone().oneshot(post("short", false)).await.expect("ok");
    assert!(!response.headers().contains_key("content-length"));
    assert_eq!(text(response).await.len(), 50);
    // A streamed body growing past the maximum is cut: the backend sees an error.
    svc.oneshot(post("0123456789ABCDEF", false))
        .await
        .expect("ok");
    let all = seen.all();
    assert_eq!(all[0], (None, "short".to_owned()));
    assert_eq!(all[1].1, "");
}

#[test]
fn invalid_retry_expressions_are_refused() {
    for bad in [
        "Attempts()",
        "IsNetworkError() > 1",
        "Retries() < 2",
        "Attempts() < 2 ||",
    ] {
        assert!(
            BufferingLayer::new().retry_expression(bad).is_err(),
            "{bad}"
        );
    }
}
