//! `contentType`, `encodedCharacters`, `passTLSClientCert` and `grpcWeb`.

use std::{
    collections::VecDeque,
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{Router, routing::any};
use base64::{Engine, engine::general_purpose::STANDARD};
use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::BodyExt;
use portico_e2e::whoami::Seen;
use portico_test_support::upstream;

use super::{exchange, routing, seen, start};

/// A backend answering `<html><body>hi</body></html>` without `Content-Type`.
async fn untyped_backend() -> upstream::Upstream {
    upstream::axum(Router::new().fallback(any(|| async {
        Response::new(axum::body::Body::from("<html><body>hi</body></html>"))
    })))
    .await
}

#[tokio::test]
async fn content_type_is_detected_only_with_the_middleware() {
    let backend = untyped_backend().await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/sniff`)",
            &["sniff"],
            "sniff:\n  contentType: {}\noff:\n  contentType:\n    autoDetect: false",
            "plain:\n  rule: PathPrefix(`/plain`)\n  service: backend\noff:\n  rule: PathPrefix(`/off`)\n  service: backend\n  middlewares: [off]",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let sniffed = exchange(addr, "GET", "/sniff", &[]).await;
    assert_eq!(
        sniffed.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(sniffed.text(), "<html><body>hi</body></html>");
    for path in ["/plain", "/off"] {
        let response = exchange(addr, "GET", path, &[]).await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-type"), None, "{path}");
    }
}

#[tokio::test]
async fn encoded_characters_are_refused_per_router() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/strict`)",
            &["strict"],
            "strict:\n  encodedCharacters: {}\nslashes:\n  encodedCharacters:\n    allowEncodedSlash: true",
            "slashes:\n  rule: PathPrefix(`/slashes`)\n  service: backend\n  middlewares: [slashes]\nopen:\n  rule: PathPrefix(`/open`)\n  service: backend",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    for escape in ["%2F", "%5C", "%00", "%3B", "%25", "%3F", "%23"] {
        let target = format!("/strict/a{escape}b");
        assert_eq!(
            exchange(addr, "GET", &target, &[]).await.status,
            400,
            "{target}"
        );
        let target = format!("/open/a{escape}b");
        assert_eq!(
            exchange(addr, "GET", &target, &[]).await.status,
            200,
            "{target}"
        );
    }
    assert_eq!(
        seen(addr, "/strict/a%20b?q=%2F", &[]).await.target,
        "/strict/a%20b?q=%2F"
    );
    assert_eq!(
        seen(addr, "/slashes/a%2Fb", &[]).await.target,
        "/slashes/a%2Fb"
    );
    assert_eq!(
        exchange(addr, "GET", "/slashes/a%5Cb", &[]).await.status,
        400
    );
}

#[tokio::test]
async fn pass_tls_client_cert_leaves_plain_requests_alone() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["certs"],
            "certs:\n  passTLSClientCert:\n    pem: true\n    info:\n      notAfter: true\n      subject:\n        commonName: true",
            "",
        ),
    )
    .await;
    // A client cannot inject the headers over plain HTTP.
    let s = seen(
        proxy.addr("web"),
        "/",
        &[
            ("X-Forwarded-Tls-Client-Cert", "forged"),
            ("X-Forwarded-Tls-Client-Cert-Info", "forged"),
        ],
    )
    .await;
    assert_eq!(s.header("x-forwarded-tls-client-cert"), None);
    assert_eq!(s.header("x-forwarded-tls-client-cert-info"), None);
}

/// A body of given frames (data, then trailers).
struct Frames(VecDeque<http_body::Frame<Bytes>>);

impl http_body::Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(Ok))
    }
}

/// A fake gRPC service: echoes the request's messages, then `grpc-status: 0`
/// (or 3 when it did not get a gRPC request) in HTTP/2 trailers.
async fn grpc_echo(request: Request<axum::body::Body>) -> Response<axum::body::Body> {
    let grpc = request.version() == http::Version::HTTP_2
        && request
            .headers()
            .get("content-type")
            .is_some_and(|v| v == "application/grpc+proto")
        && request.headers().get("te").is_some_and(|v| v == "trailers");
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut trailers = HeaderMap::new();
    trailers.insert(
        "grpc-status",
        if grpc { "0" } else { "3" }.parse().expect("value"),
    );
    trailers.insert("grpc-message", "echoed".parse().expect("value"));
    let frames = VecDeque::from([
        http_body::Frame::data(body),
        http_body::Frame::trailers(trailers),
    ]);
    let mut response = Response::new(axum::body::Body::new(Frames(frames)));
    response.headers_mut().insert(
        "content-type",
        "application/grpc+proto".parse().expect("value"),
    );
    response
}

fn message(payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8];
    out.extend_from_slice(&u32::try_from(payload.len()).expect("small").to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn trailer_frame() -> Vec<u8> {
    let payload = b"grpc-message: echoed\r\ngrpc-status: 0\r\n";
    let mut out = vec![0x80];
    out.extend_from_slice(&u32::try_from(payload.len()).expect("small").to_be_bytes());
    out.extend_from_slice(payload);
    out
}

#[tokio::test]
async fn grpc_web_reaches_an_h2c_grpc_backend() {
    let backend = upstream::axum(Router::new().fallback(any(grpc_echo))).await;
    let proxy = start(
        None,
        &routing(
            &format!("h2c://{}", backend.addr()),
            "PathPrefix(`/`)",
            &["web"],
            "web:\n  grpcWeb:\n    allowOrigins: [\"https://app.example.com\"]",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let msg = message(b"hello grpc");
    let request = format!(
        "POST /helloworld.Greeter/SayHello HTTP/1.1\r\nHost: grpc.example.com\r\nContent-Type: application/grpc-web+proto\r\nOrigin: https://app.example.com\r\nX-Grpc-Web: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        msg.len()
    );
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(&msg);
    let response = portico_e2e::send_raw(addr, &bytes).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/grpc-web+proto")
    );
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let mut expected = msg.clone();
    expected.extend(trailer_frame());
    assert_eq!(response.body, expected, "{:?}", response.text());

    // Text mode: base64 both ways.
    let text = STANDARD.encode(&msg);
    let request = format!(
        "POST /helloworld.Greeter/SayHello HTTP/1.1\r\nHost: grpc.example.com\r\nContent-Type: application/grpc-web-text+proto\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let response = portico_e2e::send_raw(addr, request.as_bytes()).await;
    assert_eq!(
        response.header("content-type"),
        Some("application/grpc-web-text+proto")
    );
    let body = response.text();
    assert!(body.starts_with(&text), "{body}");
    assert_eq!(
        STANDARD.decode(&body[text.len()..]).expect("base64"),
        trailer_frame()
    );

    // Preflight, answered at the proxy.
    let preflight = exchange(
        addr,
        "OPTIONS",
        "/helloworld.Greeter/SayHello",
        &[
            ("Origin", "https://app.example.com"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type,x-grpc-web"),
        ],
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("content-type,x-grpc-web")
    );
}

#[tokio::test]
async fn grpc_web_leaves_other_requests_alone() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["web"],
            "web:\n  grpcWeb:\n    allowOrigins: [\"*\"]",
            "",
        ),
    )
    .await;
    let s: Seen = seen(proxy.addr("web"), "/plain", &[]).await;
    assert_eq!(s.method, "GET");
}
