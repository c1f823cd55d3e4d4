//! `respondingTimeouts`, `maxHeaderBytes` and malformed requests.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use portico_e2e::{
    EXCHANGE_LIMIT, catch_all, send_raw,
    wire::{self, Conn},
    within,
};
use portico_test_support::upstream;

const LIMITS_INSTALL: &str = r#"
entryPoints:
  web:
    address: "127.0.0.1:0"
    transport:
      respondingTimeouts:
        readTimeout: 1s
  idle:
    address: "127.0.0.1:0"
    transport:
      respondingTimeouts:
        idleTimeout: 1s
  small:
    address: "127.0.0.1:0"
    http:
      maxHeaderBytes: 16384
  tiny:
    address: "127.0.0.1:0"
    http:
      maxHeaderBytes: 1024
"#;

/// Asserts the peer closed between `min` and `max` after `start`.
fn assert_closed_between(
    what: &str,
    start: Instant,
    closed: Instant,
    min: Duration,
    max: Duration,
) {
    let elapsed = closed - start;
    assert!(
        elapsed >= min && elapsed <= max,
        "{what}: closed after {elapsed:?}, expected between {min:?} and {max:?}"
    );
}

#[tokio::test]
async fn half_sent_request_head_is_cut_after_read_timeout() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(LIMITS_INSTALL), &backend.url()).await;
    let mut conn = Conn::open(proxy.addr("web")).await.expect("connect");
    let start = Instant::now();
    conn.send(b"GET / HTTP/1.1\r\nHost: example.com\r\nX-Slow")
        .await
        .expect("send");
    let (bytes, closed) = within(
        Duration::from_secs(5),
        "close of a stalled head",
        conn.read_to_close(),
    )
    .await;
    assert!(
        !bytes.starts_with(b"HTTP/1.1 200"),
        "a half head was answered: {:?}",
        String::from_utf8_lossy(&bytes)
    );
    assert_closed_between(
        "stalled head",
        start,
        closed,
        Duration::from_millis(900),
        Duration::from_secs(3),
    );
}

#[tokio::test]
async fn slow_request_body_is_cut_after_read_timeout() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(LIMITS_INSTALL), &backend.url()).await;
    let mut conn = Conn::open(proxy.addr("web")).await.expect("connect");
    let start = Instant::now();
    conn.send(
        b"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 100\r\n\r\nonly-part-of-it",
    )
    .await
    .expect("send");
    let (bytes, closed) = within(
        Duration::from_secs(5),
        "close of a stalled body",
        conn.read_to_close(),
    )
    .await;
    assert!(
        !bytes.starts_with(b"HTTP/1.1 200"),
        "a truncated body was answered 200: {:?}",
        String::from_utf8_lossy(&bytes)
    );
    assert_closed_between(
        "stalled body",
        start,
        closed,
        Duration::from_millis(900),
        Duration::from_secs(3),
    );
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed_after_idle_timeout() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(LIMITS_INSTALL), &backend.url()).await;
    let mut conn = Conn::open(proxy.addr("idle")).await.expect("connect");
    conn.send(&wire::request("GET", "/", Some("example.com"), &[]))
        .await
        .expect("send");
    let response = within(EXCHANGE_LIMIT, "keep-alive response", conn.response())
        .await
        .expect("response");
    assert_eq!(response.status, 200);
    assert_ne!(
        response.header("connection"),
        Some("close"),
        "keep-alive was refused"
    );
    let start = Instant::now();
    let (_, closed) = within(
        Duration::from_secs(5),
        "close of an idle connection",
        conn.read_to_close(),
    )
    .await;
    assert_closed_between(
        "idle connection",
        start,
        closed,
        Duration::from_millis(900),
        Duration::from_secs(3),
    );
}

#[tokio::test]
async fn keep_alive_connection_survives_shorter_pauses_than_idle_timeout() {
    // The other half of the idle test: the timeout must not close a connection
    // that is reused in time (a 1s idle timeout, requests every 300ms).
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(LIMITS_INSTALL), &backend.url()).await;
    let mut conn = Conn::open(proxy.addr("idle")).await.expect("connect");
    for _ in 0..4 {
        conn.send(&wire::request("GET", "/", Some("example.com"), &[]))
            .await
            .expect("send");
        let response = within(EXCHANGE_LIMIT, "keep-alive response", conn.response())
            .await
            .expect("response");
        assert_eq!(response.status, 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn garbage_request_line_gets_400() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    for garbage in [
        &b"this is not http\r\n\r\n"[..],
        b"GARBAGE\r\n\r\n",
        b"\x01\x02\x03 / HTTP/1.1\r\n\r\n",
    ] {
        let response = send_raw(proxy.addr("web"), garbage).await;
        assert_eq!(
            response.status,
            400,
            "{:?}",
            String::from_utf8_lossy(garbage)
        );
    }
    assert_eq!(backend.connections(), 0);
}

/// `GET /` with one header of `size` bytes; returns the status (or the error).
async fn status_with_header_of(addr: SocketAddr, size: usize) -> Result<u16, String> {
    let big = "a".repeat(size);
    let request = wire::request(
        "GET",
        "/",
        Some("example.com"),
        &[("X-Big", &big), ("Connection", "close")],
    );
    let mut conn = Conn::open(addr).await.map_err(|e| e.to_string())?;
    // The proxy may answer and close before reading everything: ignore write errors.
    let _ = conn.send(&request).await;
    within(EXCHANGE_LIMIT, "oversized head response", conn.response())
        .await
        .map(|r| r.status)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn headers_over_max_header_bytes_get_431() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(LIMITS_INSTALL), &backend.url()).await;
    assert_eq!(
        status_with_header_of(proxy.addr("small"), 64 * 1024).await,
        Ok(431)
    );
    assert_eq!(
        status_with_header_of(proxy.addr("small"), 8 * 1024).await,
        Ok(200),
        "8 KiB is under the 16 KiB limit"
    );
    // The default limit is 1 MiB: 64 KiB of headers pass.
    assert_eq!(
        status_with_header_of(proxy.addr("web"), 64 * 1024).await,
        Ok(200)
    );
}

#[tokio::test]
async fn max_header_bytes_below_8_kib_is_enforced() {
    // Go allows maxHeaderBytes + 4096 bytes of head: with 1024, a 7 KiB header
    // is over the limit.
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(LIMITS_INSTALL), &backend.url()).await;
    assert_eq!(
        status_with_header_of(proxy.addr("tiny"), 7 * 1024).await,
        Ok(431)
    );
}

#[tokio::test]
async fn http11_request_without_host_gets_400() {
    // Go's server: "missing required Host header" for HTTP/1.1.
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let response = send_raw(
        proxy.addr("web"),
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(response.status, 400, "{}", response.text());
}

#[tokio::test]
async fn request_with_two_host_headers_gets_400() {
    // Go's server: "too many Host headers".
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let response = send_raw(
        proxy.addr("web"),
        b"GET / HTTP/1.1\r\nHost: a.example.com\r\nHost: b.example.com\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(response.status, 400, "{}", response.text());
}
