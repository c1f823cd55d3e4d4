//! `/`, `/api`, `/health`, `/status`, `/bench` and the name header.

use std::time::{Duration, Instant};

use crate::support::{Server, get, post, raw};

#[tokio::test]
async fn dump_shows_name_peer_request_line_and_headers_in_order() {
    let server = Server::start(Some("whoami-1")).await;
    let (local, answer) = raw(
        server.addr,
        "GET /some/path?q=1&r=two HTTP/1.1\r\nHost: whoami.localhost\r\nx-custom-header: Value 1\r\nAccept: */*\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("x-whoami-name: whoami-1"),
        "{head}"
    );
    assert!(head.contains("text/plain"), "{head}");

    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "Name: whoami-1");
    assert!(lines[1].starts_with("Hostname: "), "{body}");
    assert!(
        lines.contains(&format!("RemoteAddr: {local}").as_str()),
        "{body}"
    );
    let request_line = lines
        .iter()
        .position(|line| *line == "GET /some/path?q=1&r=two HTTP/1.1")
        .expect("request line");
    assert_eq!(
        &lines[request_line + 1..request_line + 5],
        [
            "Host: whoami.localhost",
            "X-Custom-Header: Value 1",
            "Accept: */*",
            "Connection: close",
        ]
    );
    assert!(
        body.contains("GET /some/path?q=1&r=two HTTP/1.1\r\nHost:"),
        "{body:?}"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn dump_lists_interface_addresses_and_echoes_the_body() {
    let server = Server::start(None).await;
    let answer = post(&server.url("/anything"), "hello body").await;
    assert_eq!(answer.status, 200);
    let text = answer.text();
    assert!(!text.contains("Name:"), "{text}");
    assert!(answer.header("x-whoami-name").is_none());
    assert!(text.lines().any(|line| line == "IP: 127.0.0.1"), "{text}");
    assert!(text.contains("POST /anything HTTP/1.1\r\n"), "{text}");
    assert!(text.ends_with("\r\n\r\nhello body"), "{text:?}");
}

#[tokio::test]
async fn dump_refuses_bodies_over_a_mebibyte() {
    let server = Server::start(None).await;
    let big = "x".repeat(portico_whoami::MAX_DUMP_BODY + 1);
    let request = hyper::Request::post(server.url("/"))
        .body(http_body_util::Full::new(bytes::Bytes::from(big)))
        .expect("request");
    let answer = crate::support::send(request, false).await;
    assert_eq!(answer.status, 413);
}

#[tokio::test]
async fn wait_delays_the_answer_and_is_capped() {
    let server = Server::start(None).await;
    let start = Instant::now();
    let answer = get(&server.url("/?wait=150ms")).await;
    assert_eq!(answer.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(150));

    let start = Instant::now();
    let answer = get(&server.url("/slow-headers?delay=100ms")).await;
    assert_eq!(answer.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(100));
    assert!(
        answer
            .text()
            .contains("GET /slow-headers?delay=100ms HTTP/1.1")
    );

    let start = Instant::now();
    let answer = get(&server.url("/?wait=61s")).await;
    assert_eq!(answer.status, 400);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        answer
            .text()
            .contains("\"61s\" for `wait` exceeds the maximum of 60s")
    );

    let answer = get(&server.url("/api?wait=soon")).await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.text().contains("invalid duration \"soon\""),
        "{}",
        answer.text()
    );
}

#[tokio::test]
async fn api_answers_json_with_whoami_field_names() {
    let server = Server::start(Some("api-1")).await;
    let request = hyper::Request::get(server.url("/api?x=1"))
        .header("x-test", "a")
        .header("x-test", "b")
        .body(http_body_util::Full::default())
        .expect("request");
    let answer = crate::support::send(request, false).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    let json: serde_json::Value = serde_json::from_slice(&answer.body).expect("json");
    assert_eq!(json["name"], "api-1");
    assert_eq!(json["method"], "GET");
    assert_eq!(json["url"], "/api?x=1");
    assert_eq!(json["host"], server.addr.to_string());
    assert_eq!(json["headers"]["X-Test"], serde_json::json!(["a", "b"]));
    assert!(json["headers"].get("Host").is_none());
    assert!(json["hostname"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(
        json["ip"]
            .as_array()
            .is_some_and(|ips| ips.contains(&"127.0.0.1".into()))
    );
    let remote = json["remoteAddr"].as_str().expect("remoteAddr");
    assert!(remote.starts_with("127.0.0.1:"), "{remote}");
}

#[tokio::test]
async fn health_status_can_be_set_per_server() {
    let server = Server::start(None).await;
    let other = Server::start(None).await;
    let answer = get(&server.url("/health")).await;
    assert_eq!((answer.status, answer.text().as_str()), (200, "OK\n"));

    let answer = post(&server.url("/health"), "503\n").await;
    assert_eq!(answer.status, 200);
    let answer = get(&server.url("/health")).await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (503, "Service Unavailable\n")
    );
    assert_eq!(get(&other.url("/health")).await.status, 200);

    for bad in ["abc", "150", "600", ""] {
        assert_eq!(
            post(&server.url("/health"), bad).await.status,
            400,
            "{bad:?}"
        );
    }
    assert_eq!(get(&server.url("/health")).await.status, 503);
    assert_eq!(post(&server.url("/health"), "200").await.status, 200);
    assert_eq!(get(&server.url("/health")).await.status, 200);
}

#[tokio::test]
async fn status_answers_the_requested_code() {
    let server = Server::start(Some("s")).await;
    let answer = get(&server.url("/status/418")).await;
    assert_eq!(answer.status, 418);
    assert_eq!(answer.text(), "I'm a teapot\n");
    assert_eq!(answer.header("x-whoami-name"), Some("s"));
    assert_eq!(post(&server.url("/status/502"), "").await.status, 502);
    assert_eq!(get(&server.url("/status/599")).await.status, 599);
    for bad in ["101", "99", "600", "abc", "70000"] {
        let answer = get(&server.url(&format!("/status/{bad}"))).await;
        assert_eq!(answer.status, 400, "{bad}");
        assert!(answer.text().contains(bad), "{}", answer.text());
    }
}

#[tokio::test]
async fn bench_answers_one() {
    let server = Server::start(None).await;
    let answer = get(&server.url("/bench")).await;
    assert_eq!((answer.status, answer.text().as_str()), (200, "1"));
    assert_eq!(answer.header("content-type"), Some("text/plain"));
}

#[tokio::test]
async fn names_tell_backends_apart() {
    let one = Server::start(Some("whoami-1")).await;
    let two = Server::start(Some("whoami-2")).await;
    assert_eq!(
        get(&one.url("/")).await.header("x-whoami-name"),
        Some("whoami-1")
    );
    assert_eq!(
        get(&two.url("/api")).await.header("x-whoami-name"),
        Some("whoami-2")
    );
    assert_eq!(get(&two.url("/nope/404")).await.status, 200);
}
