use std::{
    io,
    time::{Duration, Instant},
};

use bytes::Bytes;
use http_body_util::Full;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::*;
use crate::client;

const LIMIT: Duration = Duration::from_secs(10);

/// A response read off a raw connection.
#[derive(Debug)]
struct RawResponse {
    status: u16,
    head: String,
    body: String,
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: backend.test\r\n\r\n")
}

/// Reads one response; `Ok(None)` when the connection was closed before any byte.
async fn read_response(stream: &mut TcpStream) -> io::Result<Option<RawResponse>> {
    let mut buf = Vec::new();
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let mut chunk = [0u8; 4096];
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let status = head[9..12].parse().expect("status code");
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).into_owned();
            return Ok(Some(RawResponse { status, head, body }));
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn exchange(stream: &mut TcpStream, request: &str) -> io::Result<Option<RawResponse>> {
    stream.write_all(request.as_bytes()).await?;
    tokio::time::timeout(LIMIT, read_response(stream))
        .await
        .expect("answered or closed in time")
}

async fn connect(backend: &FaultyBackend) -> TcpStream {
    TcpStream::connect(backend.addr()).await.expect("connect")
}

#[tokio::test]
async fn healthy_answers_with_its_name_and_counts() {
    let backend = start("b1").await;

    let reply = client::get(backend.addr(), "backend.test", "/a?x=1").await;
    let _ = client::get(backend.addr(), "backend.test", "/a").await;
    let _ = client::get(backend.addr(), "backend.test", "/health").await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-backend"), Some("b1"));
    assert_eq!(reply.text(), "b1");
    assert_eq!(backend.total(), 3);
    assert_eq!(backend.count("/a"), 2);
    assert_eq!(backend.count("/health"), 1);
    assert_eq!(backend.connections(), 3);
    let first = &backend.requests()[0];
    assert_eq!(first.target, "/a?x=1");
    assert_eq!(first.headers["host"], "backend.test");
    assert_eq!((first.connection, first.on_connection), (1, 1));

    backend.clear_stats();
    assert_eq!(backend.total(), 0);
    assert_eq!(backend.count("/a"), 0);
}

#[tokio::test]
async fn status_applies_to_every_path() {
    let backend = start("b1").await;
    backend.set(Fault::Status(503));

    assert_eq!(client::get(backend.addr(), "t", "/").await.status, 503);
    assert_eq!(
        client::get(backend.addr(), "t", "/health").await.status,
        503
    );
    assert_eq!(backend.fault(), Fault::Status(503));

    backend.set(Fault::Healthy);
    assert_eq!(client::get(backend.addr(), "t", "/").await.status, 200);
}

#[tokio::test]
async fn health_status_only_changes_the_health_path() {
    let backend = start("b1").await;
    backend.set(Fault::HealthStatus(500));

    assert_eq!(
        client::get(backend.addr(), "t", "/health").await.status,
        500
    );
    assert_eq!(client::get(backend.addr(), "t", "/").await.status, 200);

    backend.set_health_path("/ping");
    assert_eq!(client::get(backend.addr(), "t", "/ping").await.status, 500);
    assert_eq!(
        client::get(backend.addr(), "t", "/health").await.status,
        200
    );

    backend.set(Fault::Healthy);
    backend.set_health(Some(Fault::Status(418)));
    assert_eq!(client::get(backend.addr(), "t", "/ping").await.status, 418);
    assert_eq!(client::get(backend.addr(), "t", "/").await.status, 200);
}

#[tokio::test]
async fn hang_reads_the_request_and_never_answers() {
    let backend = start("b1").await;
    backend.set(Fault::Hang);
    let mut stream = connect(&backend).await;
    stream
        .write_all(get("/slow").as_bytes())
        .await
        .expect("write");

    tokio::time::timeout(LIMIT, backend.wait_path("/slow", 1))
        .await
        .expect("request seen");
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut byte)).await;
    assert!(read.is_err(), "no answer while hanging: {read:?}");

    backend.set(Fault::Healthy);
    assert_eq!(client::get(backend.addr(), "t", "/").await.status, 200);
}

#[tokio::test]
async fn reset_sends_a_tcp_rst() {
    let backend = start("b1").await;
    backend.set(Fault::Reset);
    let mut stream = connect(&backend).await;

    let error = exchange(&mut stream, &get("/")).await.expect_err("reset");

    assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
    assert_eq!(backend.total(), 1, "the request was read first");
}

#[tokio::test]
async fn down_refuses_connections_and_up_listens_on_the_same_port() {
    let backend = start("b1").await;
    let addr = backend.addr();
    let mut kept = connect(&backend).await;
    assert_eq!(
        exchange(&mut kept, &get("/"))
            .await
            .expect("ok")
            .expect("answer")
            .status,
        200
    );

    backend.down().await;
    assert!(!backend.is_up());
    let refused = TcpStream::connect(addr).await.expect_err("refused");
    assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
    let mut byte = [0u8; 1];
    let closed = tokio::time::timeout(LIMIT, kept.read(&mut byte))
        .await
        .expect("closed in time");
    assert!(
        matches!(closed, Ok(0) | Err(_)),
        "open connections are closed: {closed:?}"
    );

    backend.up().await;
    assert!(backend.is_up());
    assert_eq!(backend.addr(), addr);
    let reply = client::get(addr, "t", "/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(backend.total(), 2);
}

#[tokio::test]
async fn close_after_closes_a_kept_alive_connection_without_announcing_it() {
    let backend = start("b1").await;
    backend.set(Fault::CloseAfter(1));
    let mut stream = connect(&backend).await;

    let first = exchange(&mut stream, &get("/"))
        .await
        .expect("ok")
        .expect("answer");
    assert_eq!(first.status, 200);
    assert!(!first.head.contains("connection: close"), "{}", first.head);

    let mut byte = [0u8; 1];
    let after = tokio::time::timeout(LIMIT, stream.read(&mut byte))
        .await
        .expect("closed in time")
        .expect("clean close");
    assert_eq!(after, 0, "the backend closed the connection");
}

#[tokio::test]
async fn abort_reused_drops_a_request_on_a_reused_connection_only() {
    let backend = start("b1").await;
    backend.set(Fault::AbortReused(1));
    let mut stream = connect(&backend).await;

    let first = exchange(&mut stream, &get("/one")).await.expect("ok");
    assert_eq!(first.expect("answer").status, 200);
    let second = exchange(&mut stream, &get("/two")).await;
    assert!(
        matches!(second, Ok(None) | Err(_)),
        "closed without a response byte: {second:?}"
    );
    assert_eq!(backend.count("/two"), 1, "the second request was received");

    let mut fresh = connect(&backend).await;
    let again = exchange(&mut fresh, &get("/two")).await.expect("ok");
    assert_eq!(again.expect("answer").status, 200);
    let last = backend.requests().pop().expect("recorded");
    assert_eq!((last.connection, last.on_connection), (2, 1));
}

#[tokio::test]
async fn delay_answers_late() {
    let backend = start("b1").await;
    backend.set(Fault::Delay(Duration::from_millis(300)));
    let started = Instant::now();

    let reply = client::get(backend.addr(), "t", "/").await;

    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn bodies_are_skipped_and_the_connection_kept_alive() {
    let backend = start("b1").await;
    let mut stream = connect(&backend).await;

    let fixed = "POST /fixed HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello";
    let chunked = "POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
                   5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: 1\r\n\r\n";
    for request in [fixed, chunked, &get("/after")] {
        let reply = exchange(&mut stream, request)
            .await
            .expect("ok")
            .expect("answer");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, "b1");
    }

    assert_eq!(backend.connections(), 1);
    assert_eq!(backend.count("/after"), 1);
}

#[tokio::test]
async fn head_has_no_body_and_connection_close_is_honoured() {
    let backend = start("b1").await;
    let head = http::Request::head("/")
        .header("host", "t")
        .body(Full::new(Bytes::new()))
        .expect("request");
    let reply = client::send(backend.addr(), head).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.is_empty());

    let mut stream = connect(&backend).await;
    let closing = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    let reply = exchange(&mut stream, closing)
        .await
        .expect("ok")
        .expect("answer");
    assert!(reply.head.contains("connection: close"));
    let mut byte = [0u8; 1];
    assert_eq!(stream.read(&mut byte).await.expect("clean close"), 0);
}

#[tokio::test]
async fn waiting_wakes_on_the_counted_request() {
    let backend = start("b1").await;
    let addr = backend.addr();
    let sender = tokio::spawn(async move {
        client::get(addr, "t", "/x").await;
        client::get(addr, "t", "/x").await;
    });

    tokio::time::timeout(LIMIT, backend.wait_path("/x", 2))
        .await
        .expect("both requests seen");
    tokio::time::timeout(LIMIT, backend.wait_requests(2))
        .await
        .expect("total reached");
    assert_eq!(backend.count("/x"), 2);
    sender.await.expect("sender");
}
