//! Protocols at the entrypoint: HTTP/2 with prior knowledge, h2c by upgrade
//! (driven by curl), HTTP/1.0, keep-alive reuse and pipelining, concurrent h2
//! streams.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::{Request, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use portico_e2e::{EXCHANGE_LIMIT, catch_all, whoami::Seen, wire::Conn, within};
use portico_test_support::{client, upstream};
use tokio::net::TcpStream;

fn empty_get(uri: &str) -> Request<Full<Bytes>> {
    Request::get(uri)
        .header("host", "example.com")
        .body(Full::new(Bytes::new()))
        .expect("request")
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_served_over_http2() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let request = Request::get("http://example.com/h2?x=1")
        .body(Full::new(Bytes::new()))
        .expect("request");
    let reply = within(
        EXCHANGE_LIMIT,
        "h2 request",
        client::send_h2(proxy.addr("web"), request),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.version, Version::HTTP_2);
    assert_eq!(reply.header("x-whoami-name"), Some("backend"));
    let seen = Seen::parse(&reply.text()).expect("whoami dump");
    assert_eq!(seen.target, "/h2?x=1");
    assert_eq!(
        seen.header("host"),
        Some("example.com"),
        ":authority becomes Host"
    );
}

/// Runs curl with `args` against nothing else; returns (status ok, stdout, stderr).
async fn curl(args: Vec<String>) -> (bool, String, String) {
    let output = tokio::task::spawn_blocking(move || {
        Command::new("curl")
            .args(["--noproxy", "*", "-m", "10", "-sS"])
            .args(&args)
            .output()
    })
    .await
    .expect("curl task")
    .expect("curl is installed");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn h2c_upgrade_from_curl_is_served_over_http2() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let url = format!("http://{}/h2c", proxy.addr("web"));
    let (ok, stdout, stderr) = curl(vec!["--http2".into(), "-v".into(), url]).await;
    assert!(ok, "curl failed: {stderr}");
    assert!(
        stderr.contains("Upgrade: h2c"),
        "curl offered h2c: {stderr}"
    );
    assert!(
        stderr.contains("< HTTP/2 200"),
        "the answer came over HTTP/2: {stderr}"
    );
    assert!(
        stdout.contains("Name: backend"),
        "the backend answered: {stdout}"
    );
    assert!(stdout.contains("GET /h2c "), "{stdout}");
}

#[tokio::test]
async fn h2c_capable_curl_post_with_a_body_is_served() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let url = format!("http://{}/form", proxy.addr("web"));
    let args = vec![
        "--http2".into(),
        "-v".into(),
        "--data".into(),
        "hello=world&n=1".into(),
        url,
    ];
    let (ok, stdout, stderr) = curl(args).await;
    assert!(ok, "curl failed: {stderr}");
    assert!(
        stderr.contains("< HTTP/2 200") || stderr.contains("< HTTP/1.1 200"),
        "served: {stderr}"
    );
    assert!(stdout.contains("POST /form "), "{stdout}");
    assert!(
        stdout.ends_with("hello=world&n=1"),
        "the body reached the backend: {stdout}"
    );
}

#[tokio::test]
async fn http10_request_is_answered_without_chunking_and_closed() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    for request in [
        &b"GET /old HTTP/1.0\r\nHost: example.com\r\n\r\n"[..],
        b"GET /old HTTP/1.0\r\n\r\n",
    ] {
        let mut conn = Conn::open(proxy.addr("web")).await.expect("connect");
        conn.send(request).await.expect("send");
        let response = within(EXCHANGE_LIMIT, "HTTP/1.0 response", conn.response())
            .await
            .expect("response");
        assert_eq!(
            response.status,
            200,
            "{:?}",
            String::from_utf8_lossy(request)
        );
        assert_eq!(
            response.header("transfer-encoding"),
            None,
            "HTTP/1.0 has no chunked encoding"
        );
        let seen = Seen::parse(&response.text()).expect("whoami dump");
        assert_eq!(seen.target, "/old");
        assert!(
            conn.closes_within(EXCHANGE_LIMIT).await,
            "HTTP/1.0 without keep-alive is closed"
        );
    }
}

#[tokio::test]
async fn many_requests_reuse_one_keep_alive_connection() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let stream = TcpStream::connect(proxy.addr("web"))
        .await
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    let connection = tokio::spawn(conn);
    for i in 0..50 {
        within(EXCHANGE_LIMIT, "ready", sender.ready())
            .await
            .expect("connection still open");
        let response = within(
            EXCHANGE_LIMIT,
            "request",
            sender.send_request(empty_get(&format!("/k{i}"))),
        )
        .await
        .expect("response");
        assert_eq!(response.status(), 200);
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let seen = Seen::parse(&String::from_utf8_lossy(&body)).expect("whoami dump");
        assert_eq!(seen.target, format!("/k{i}"));
    }
    assert!(!connection.is_finished(), "the connection stayed open");
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let mut conn = Conn::open(proxy.addr("web")).await.expect("connect");
    let mut batch = Vec::new();
    for i in 0..10 {
        batch.extend_from_slice(
            format!("GET /p{i} HTTP/1.1\r\nHost: example.com\r\n\r\n").as_bytes(),
        );
    }
    conn.send(&batch).await.expect("send");
    for i in 0..10 {
        let response = within(EXCHANGE_LIMIT, "pipelined response", conn.response())
            .await
            .expect("response");
        assert_eq!(response.status, 200);
        let seen = Seen::parse(&response.text()).expect("whoami dump");
        assert_eq!(seen.target, format!("/p{i}"));
    }
}

#[tokio::test]
async fn concurrent_http2_streams_share_one_connection() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let stream = TcpStream::connect(proxy.addr("web"))
        .await
        .expect("connect");
    let (sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("h2 handshake");
    tokio::spawn(conn);
    let start = Instant::now();
    let requests = (0..50).map(|i| {
        let mut sender = sender.clone();
        async move {
            let request = Request::get(format!("http://example.com/s{i}?wait=300ms"))
                .body(Full::new(Bytes::new()))
                .expect("request");
            let response = sender.send_request(request).await.expect("response");
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            (i, status, String::from_utf8_lossy(&body).into_owned())
        }
    });
    let results = within(
        EXCHANGE_LIMIT,
        "50 concurrent streams",
        futures_util::future::join_all(requests),
    )
    .await;
    let elapsed = start.elapsed();
    for (i, status, body) in results {
        assert_eq!(status, 200, "stream {i}");
        let seen = Seen::parse(&body).expect("whoami dump");
        assert_eq!(seen.path(), format!("/s{i}"));
    }
    // 50 x 300ms one after the other would take 15s.
    assert!(
        elapsed < Duration::from_secs(5),
        "streams were not concurrent: {elapsed:?}"
    );
}
