use std::{
    collections::VecDeque,
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode, Version};
use http_body::{Body as HttpBody, Frame};
use http_body_util::BodyExt;
use portico_core::Body;
use tower::{Layer, ServiceExt, service_fn};

use super::GrpcWebLayer;

/// A body made of given frames (data and trailers).
struct Frames(VecDeque<Frame<Bytes>>);

impl HttpBody for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(Ok))
    }
}

/// A gRPC message frame: flag 0, length, payload.
fn message(payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A fake gRPC server: checks it got gRPC and answers the request body back,
/// then `grpc-status: 0` trailers.
async fn grpc_backend(req: Request<Body>) -> Result<Response<Body>, Infallible> {
    let ok = req.version() == Version::HTTP_2
        && req.headers()["content-type"] == "application/grpc+proto"
        && req.headers()["te"] == "trailers"
        && !req.headers().contains_key("content-length");
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let mut trailers = HeaderMap::new();
    trailers.insert("grpc-status", if ok { "0" } else { "13" }.parse().unwrap());
    trailers.insert("grpc-message", "fine".parse().unwrap());
    trailers.insert("X-Custom-Trailer", "t".parse().unwrap());
    let frames = VecDeque::from([Frame::data(body), Frame::trailers(trailers)]);
    let mut response = Response::new(Body::new(Frames(frames)));
    response
        .headers_mut()
        .insert("content-type", "application/grpc+proto".parse().unwrap());
    response
        .headers_mut()
        .insert("x-backend", "1".parse().unwrap());
    Ok(response)
}

async fn call(request: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    let svc = GrpcWebLayer::new(["https://allowed.example"]).layer(service_fn(grpc_backend));
    let response = svc.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes(),
    )
}

fn expected_trailer() -> Vec<u8> {
    let payload = b"grpc-message: fine\r\ngrpc-status: 0\r\nx-custom-trailer: t\r\n";
    let mut out = vec![0x80];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

#[tokio::test]
async fn binary_requests_become_grpc_and_trailers_move_into_the_body() {
    let msg = message(b"hello");
    let request = Request::post("/helloworld.Greeter/SayHello")
        .header("content-type", "application/grpc-web+proto")
        .header("content-length", msg.len().to_string())
        .header("origin", "https://allowed.example")
        .body(Body::from(msg.clone()))
        .unwrap();
    let (status, headers, body) = call(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/grpc-web+proto");
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://allowed.example"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    let exposed = headers["access-control-expose-headers"].to_str().unwrap();
    assert!(
        exposed.contains("X-Backend") && exposed.ends_with("grpc-status, grpc-message"),
        "{exposed}"
    );
    let mut expected = msg;
    expected.extend(expected_trailer());
    assert_eq!(body, expected);
}

#[tokio::test]
async fn text_requests_are_base64_both_ways() {
    let msg = message(b"hi there");
    let request = Request::post("/svc/Method")
        .header("content-type", "application/grpc-web-text+proto")
        .body(Body::from(STANDARD.encode(&msg)))
        .unwrap();
    let (_, headers, body) = call(request).await;
    assert_eq!(headers["content-type"], "application/grpc-web-text+proto");
    assert!(headers.get("access-control-allow-origin").is_none());
    // Each frame is its own padded base64 segment.
    let text = std::str::from_utf8(&body).unwrap();
    let first = STANDARD.encode(&msg);
    assert!(text.starts_with(&first), "{text}");
    assert_eq!(
        STANDARD.decode(&text[first.len()..]).unwrap(),
        expected_trailer()
    );
}

#[tokio::test]
async fn invalid_text_bodies_fail_the_request_body() {
    let request = Request::post("/svc/Method")
        .header("content-type", "application/grpc-web-text")
        .body(Body::from("!!!!"))
        .unwrap();
    let svc = GrpcWebLayer::new(["*"]).layer(service_fn(|req: Request<Body>| async move {
        let failed = req.into_body().collect().await.is_err();
        Ok::<_, Infallible>(Response::new(Body::from(failed.to_string())))
    }));
    let response = svc.oneshot(request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    // The answer is itself base64 text: "true" is its first segment.
    assert_eq!(STANDARD.decode(&body[..8]).unwrap(), b"true", "{body:?}");
}

#[tokio::test]
async fn preflights_are_answered_here() {
    let request = Request::options("/svc/Method")
        .header("origin", "https://allowed.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "x-grpc-web,content-type,x-user-agent",
        )
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(request).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://allowed.example"
    );
    assert_eq!(headers["access-control-allow-methods"], "POST");
    assert_eq!(
        headers["access-control-allow-headers"],
        "x-grpc-web,content-type,x-user-agent"
    );
    assert_eq!(headers["access-control-max-age"], "600");

    let request = Request::options("/svc/Method")
        .header("origin", "https://other.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-grpc-web")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(request).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn other_requests_pass_through() {
    let request = Request::get("/plain").body(Body::empty()).unwrap();
    let svc = GrpcWebLayer::new(["*"]).layer(service_fn(|req: Request<Body>| async move {
        Ok::<_, Infallible>(Response::new(Body::from(format!("{:?}", req.version()))))
    }));
    let response = svc.oneshot(request).await.unwrap();
    assert!(
        response
            .headers()
            .get("access-control-expose-headers")
            .is_none()
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "HTTP/1.1");
}
