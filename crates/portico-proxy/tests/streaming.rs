//! Streaming through the Forwarder: server-sent events are not held back, request
//! bodies stream to the backend, and HTTP/2 trailers (gRPC) reach the client.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body::Frame;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use portico_core::Body;
use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
use support::{Ca, ChannelBody, Mode, TlsOptions, get, plain_backend, tls_backend};
use tokio::{net::TcpStream, sync::mpsc, time::timeout};

/// Bound on anything that should happen at once: generous, so a slow machine does
/// not fail the tests, and far below "held back until the stream ends" (never).
const PROMPTLY: Duration = Duration::from_secs(5);

/// An HTTP/1.1 client connection to `addr`.
async fn h1_client(addr: std::net::SocketAddr) -> hyper::client::conn::http1::SendRequest<Body> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

#[tokio::test]
async fn server_sent_events_reach_the_client_as_they_are_sent() {
    let backend = plain_backend(Mode::Sse).await;
    let target = Target::parse(&format!("http://{}", backend.addr)).unwrap();
    let proxy = support::proxy(Forwarder::new(Transport::default()), target).await;

    let mut client = h1_client(proxy).await;
    let request = Request::get("/events")
        .header("host", "app.example")
        .body(Body::empty())
        .unwrap();
    let response = timeout(PROMPTLY, client.send_request(request))
        .await
        .expect("headers in time")
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body: Incoming = response.into_body();
    let frame = timeout(PROMPTLY, body.frame())
        .await
        .expect("the first event is not held back")
        .expect("a frame")
        .unwrap();
    assert_eq!(frame.into_data().unwrap(), "data: one\n\n");
    // The stream is still open: nothing more, and no end.
    assert!(
        timeout(Duration::from_millis(100), body.frame())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn request_bodies_stream_to_the_backend() {
    // A backend that reports the first request body chunk as soon as it has it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (seen_tx, mut seen_rx) = mpsc::channel::<Bytes>(1);
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let seen = seen_tx.clone();
            async move {
                let mut body = request.into_body();
                if let Some(Ok(frame)) = body.frame().await {
                    let _ = seen.send(frame.into_data().unwrap_or_default()).await;
                }
                while body.frame().await.is_some() {}
                Ok::<_, std::convert::Infallible>(http::Response::new(support::full("done")))
            }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tcp), service)
            .await;
    });

    let target = Target::parse(&format!("http://{addr}")).unwrap();
    let forwarder = Forwarder::new(Transport::default());
    let (chunks, rx) = mpsc::channel(4);
    let mut request = get("/upload");
    *request.method_mut() = http::Method::POST;
    *request.body_mut() = Body::new(ChannelBody(rx));
    let pending = tokio::spawn(async move { forwarder.forward(request, &target).await });

    chunks
        .send(Frame::data(Bytes::from_static(b"part 1")))
        .await
        .unwrap();
    let first = timeout(PROMPTLY, seen_rx.recv())
        .await
        .expect("the first chunk is not held back")
        .unwrap();
    assert_eq!(first, "part 1");
    // The request is still going on: the client has not finished its body.
    assert!(!pending.is_finished());
    drop(chunks);
    let response = timeout(PROMPTLY, pending).await.unwrap().unwrap().unwrap();
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "done"
    );
}

/// Forwards `GET /` with `te: trailers` (as gRPC clients send it over HTTP/1.1)
/// to `target` and returns the response parts and trailers.
async fn grpc_call(
    transport: Transport,
    target: &Target,
) -> (http::response::Parts, Bytes, Option<http::HeaderMap>) {
    let mut request = get("/pkg.Service/Method");
    request
        .headers_mut()
        .insert("connection", "te".parse().unwrap());
    request
        .headers_mut()
        .insert("te", "trailers".parse().unwrap());
    let response = Forwarder::new(transport)
        .forward(request, target)
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let collected = timeout(PROMPTLY, body.collect()).await.unwrap().unwrap();
    let trailers = collected.trailers().cloned();
    (parts, collected.to_bytes(), trailers)
}

#[tokio::test]
async fn h2c_trailers_reach_the_client() {
    let backend = plain_backend(Mode::Trailers).await;
    let target = Target::parse(&format!("h2c://{}", backend.addr)).unwrap();
    let (parts, body, trailers) = grpc_call(Transport::default(), &target).await;
    assert_eq!(parts.version, http::Version::HTTP_2);
    assert_eq!(body, "hello");
    let trailers = trailers.expect("trailers");
    assert_eq!(trailers["grpc-status"], "0");
    assert_eq!(trailers["grpc-message"], "ok");
}

#[tokio::test]
async fn trailers_only_grpc_errors_keep_their_status() {
    let backend = plain_backend(Mode::TrailersOnly).await;
    let target = Target::parse(&format!("h2c://{}", backend.addr)).unwrap();
    let (parts, body, _) = grpc_call(Transport::default(), &target).await;
    assert_eq!(parts.status, StatusCode::OK);
    assert_eq!(parts.headers["grpc-status"], "14");
    assert_eq!(parts.headers["grpc-message"], "unavailable");
    assert!(body.is_empty());
}

#[tokio::test]
async fn te_trailers_reaches_h2c_and_h2_backends() {
    let plain = plain_backend(Mode::Echo).await;
    let target = Target::parse(&format!("h2c://{}", plain.addr)).unwrap();
    let (parts, _, _) = grpc_call(Transport::default(), &target).await;
    assert_eq!(parts.headers["x-http-version"], "HTTP/2.0");
    assert_eq!(parts.headers["x-te"], "trailers");

    let ca = Ca::new("backend CA");
    let tls = tls_backend(TlsOptions::new(ca.server(&["127.0.0.1"], &[]))).await;
    let transport = Transport::new(&TransportSettings {
        root_certificates: vec![ca.der()],
        ..TransportSettings::default()
    })
    .unwrap();
    let target = Target::parse(&format!("https://{}", tls.addr)).unwrap();
    let (parts, _, _) = grpc_call(transport, &target).await;
    assert_eq!(parts.headers["x-http-version"], "HTTP/2.0");
    assert_eq!(parts.headers["x-te"], "trailers");
}

#[tokio::test]
async fn h2_over_tls_trailers_reach_the_client() {
    let ca = Ca::new("backend CA");
    let mut options = TlsOptions::new(ca.server(&["127.0.0.1"], &[]));
    options.mode = Mode::Trailers;
    let backend = tls_backend(options).await;
    let transport = Transport::new(&TransportSettings {
        root_certificates: vec![ca.der()],
        ..TransportSettings::default()
    })
    .unwrap();
    let target = Target::parse(&format!("https://{}", backend.addr)).unwrap();
    let (parts, body, trailers) = grpc_call(transport, &target).await;
    assert_eq!(parts.version, http::Version::HTTP_2);
    assert_eq!(body, "hello");
    assert_eq!(trailers.expect("trailers")["grpc-status"], "0");
}

#[tokio::test]
async fn trailers_reach_an_http11_client_through_the_proxy() {
    // The h2 backend's trailers, announced by `Trailer`, travel to an HTTP/1.1
    // client as a chunked trailer section.
    let backend = plain_backend(Mode::Trailers).await;
    let target = Target::parse(&format!("h2c://{}", backend.addr)).unwrap();
    let proxy = support::proxy(Forwarder::new(Transport::default()), target).await;
    let mut client = h1_client(proxy).await;
    let request = Request::get("/")
        .header("host", "app.example")
        .header("te", "trailers")
        .body(Body::empty())
        .unwrap();
    let response = client.send_request(request).await.unwrap();
    assert_eq!(response.headers()["trailer"], "grpc-status, grpc-message");
    let collected = timeout(PROMPTLY, response.into_body().collect())
        .await
        .unwrap()
        .unwrap();
    let trailers = collected
        .trailers()
        .cloned()
        .expect("trailers over HTTP/1.1");
    assert_eq!(trailers["grpc-status"], "0");
    assert_eq!(collected.to_bytes(), "hello");
}
