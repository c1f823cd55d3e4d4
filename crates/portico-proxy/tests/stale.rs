//! Stale keep-alive safety against raw TCP backends that close pooled connections.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::time::Duration;

use http::{Method, StatusCode};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use portico_core::{Body, HttpRequest, ProxyError};
use portico_proxy::{Forwarder, Target, Transport};
use support::get;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

/// Reads one request head (the requests here carry no body, or a tiny one that
/// is not read), returning its request line.
async fn read_head(conn: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0; 1];
        if conn.read(&mut byte).await.unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    head.lines().next().unwrap_or_default().to_owned()
}

async fn answer(conn: &mut TcpStream, tag: &str) {
    let response = format!("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-conn: {tag}\r\n\r\nok");
    conn.write_all(response.as_bytes()).await.unwrap();
}

async fn forward(
    forwarder: &Forwarder,
    request: HttpRequest,
    target: &Target,
) -> Result<String, ProxyError> {
    let response = forwarder.forward(request, target).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let tag = response.headers()["x-conn"].to_str().unwrap().to_owned();
    response.into_body().collect().await.unwrap();
    // Let the connection go back to the pool before the next request.
    tokio::task::yield_now().await;
    Ok(tag)
}

fn setup(addr: std::net::SocketAddr) -> (Forwarder, Target) {
    let forwarder = Forwarder::new(Transport::default());
    (forwarder, Target::parse(&format!("http://{addr}")).unwrap())
}

/// A backend that answers one request with keep-alive, reads the next one on the
/// same connection and closes it unanswered (its idle timer fired meanwhile), then
/// answers on a second connection. Returns the three request lines.
fn closing_backend(listener: TcpListener) -> JoinHandle<(String, String, String)> {
    tokio::spawn(async move {
        let (mut first, _) = listener.accept().await.unwrap();
        let one = read_head(&mut first).await;
        answer(&mut first, "1").await;
        let two = read_head(&mut first).await;
        drop(first);
        let (mut second, _) = listener.accept().await.unwrap();
        let retried = read_head(&mut second).await;
        answer(&mut second, "2").await;
        (one, two, retried)
    })
}

#[tokio::test]
async fn request_written_to_a_connection_the_backend_then_closes_is_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (forwarder, target) = setup(listener.local_addr().unwrap());
    let backend = closing_backend(listener);

    assert_eq!(
        forward(&forwarder, get("/one"), &target).await.unwrap(),
        "1"
    );
    assert_eq!(
        forward(&forwarder, get("/two"), &target).await.unwrap(),
        "2"
    );
    let (one, two, retried) = backend.await.unwrap();
    assert_eq!(one, "GET /one HTTP/1.1");
    assert_eq!(two, "GET /two HTTP/1.1", "the pooled connection was reused");
    assert_eq!(retried, "GET /two HTTP/1.1");
}

#[tokio::test]
async fn requests_from_a_real_client_connection_are_retried_too() {
    // Bodies as hyper's server hands them over (not `Body::empty()`).
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (forwarder, target) = setup(listener.local_addr().unwrap());
    let backend = closing_backend(listener);
    let proxy = support::proxy(forwarder, target).await;

    let tcp = TcpStream::connect(proxy).await.unwrap();
    let (mut client, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    for (path, tag) in [("/one", "1"), ("/two", "2")] {
        let request = http::Request::get(path)
            .header("host", "app.example")
            .body(Body::empty())
            .unwrap();
        let response = client.send_request(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["x-conn"], tag);
        response.into_body().collect().await.unwrap();
        tokio::task::yield_now().await;
    }
    let (_, two, retried) = backend.await.unwrap();
    assert_eq!(two, "GET /two HTTP/1.1");
    assert_eq!(retried, "GET /two HTTP/1.1");
}

#[tokio::test]
async fn requests_that_cannot_be_replayed_fail_with_502() {
    for (method, body) in [
        (Method::POST, ""),
        (Method::PUT, "payload"),
        (Method::PATCH, ""),
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (forwarder, target) = setup(listener.local_addr().unwrap());
        let backend = tokio::spawn(async move {
            let (mut first, _) = listener.accept().await.unwrap();
            read_head(&mut first).await;
            answer(&mut first, "1").await;
            let two = read_head(&mut first).await;
            drop(first);
            // A retry would connect again: none must come.
            let again = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
            (two, again.is_ok())
        });
        forward(&forwarder, get("/one"), &target).await.unwrap();
        let mut request = get("/two");
        *request.method_mut() = method.clone();
        *request.body_mut() = Body::from(body);
        let error = forward(&forwarder, request, &target).await.unwrap_err();
        assert_eq!(
            error.status(),
            StatusCode::BAD_GATEWAY,
            "{method}: {error:?}"
        );
        let (two, reconnected) = backend.await.unwrap();
        assert_eq!(two, format!("{method} /two HTTP/1.1"));
        assert!(!reconnected, "{method} was sent again");
    }
}

#[tokio::test]
async fn a_fresh_connection_closed_without_answer_is_not_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (forwarder, target) = setup(listener.local_addr().unwrap());
    let backend = tokio::spawn(async move {
        let (mut first, _) = listener.accept().await.unwrap();
        read_head(&mut first).await;
        drop(first);
        let again = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        again.is_ok()
    });
    let error = forward(&forwarder, get("/"), &target).await.unwrap_err();
    assert_eq!(error.status(), StatusCode::BAD_GATEWAY, "{error:?}");
    assert!(
        !backend.await.unwrap(),
        "a broken backend got the request twice"
    );
}

/// The classic race: the backend answers with keep-alive, then closes the idle
/// connection without reading anything more; the next request goes out after the
/// close. Depending on whether the client's connection task saw the close first,
/// hyper-util returns the request unsent (and sends it elsewhere itself) or the
/// request is written and fails, and the Forwarder retries it: either way the
/// client gets 200, never 502.
#[tokio::test]
async fn backend_closing_an_idle_keep_alive_connection_causes_no_502() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (forwarder, target) = setup(listener.local_addr().unwrap());
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
    let backend = tokio::spawn(async move {
        let (mut first, _) = listener.accept().await.unwrap();
        read_head(&mut first).await;
        answer(&mut first, "1").await;
        first.shutdown().await.unwrap();
        drop(first);
        closed_tx.send(()).unwrap();
        let (mut second, _) = listener.accept().await.unwrap();
        let line = read_head(&mut second).await;
        answer(&mut second, "2").await;
        line
    });
    assert_eq!(
        forward(&forwarder, get("/one"), &target).await.unwrap(),
        "1"
    );
    closed_rx.await.unwrap();
    assert_eq!(
        forward(&forwarder, get("/two"), &target).await.unwrap(),
        "2"
    );
    assert_eq!(backend.await.unwrap(), "GET /two HTTP/1.1");
}
