//! What the client gets when the backend cannot answer, and backend statuses
//! passed through.

use std::time::{Duration, Instant};

use portico_e2e::{
    EXCHANGE_LIMIT, catch_all,
    routing::{Router, Routing},
    within,
};
use portico_test_support::{client, proxy, upstream};

#[tokio::test]
async fn refused_backend_gets_502() {
    let proxy = catch_all(None, &format!("http://{}", upstream::refused_address())).await;
    let reply = within(
        EXCHANGE_LIMIT,
        "request",
        client::get(proxy.addr("web"), "example.com", "/"),
    )
    .await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.text(), "Bad Gateway");
}

#[tokio::test]
async fn silent_backend_gets_504_after_response_header_timeout() {
    let backend = upstream::hanging().await;
    let install = "entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n\
                   serversTransport:\n  forwardingTimeouts:\n    responseHeaderTimeout: 500ms\n";
    let proxy = catch_all(Some(install), &backend.url()).await;
    let start = Instant::now();
    let reply = within(
        EXCHANGE_LIMIT,
        "request",
        client::get(proxy.addr("web"), "example.com", "/"),
    )
    .await;
    let elapsed = start.elapsed();
    assert_eq!(reply.status, 504);
    assert_eq!(reply.text(), "Gateway Timeout");
    assert!(
        elapsed >= Duration::from_millis(450) && elapsed < Duration::from_secs(3),
        "answered after {elapsed:?}"
    );
    assert_eq!(backend.connections(), 1);
}

#[tokio::test]
async fn service_without_servers_gets_503() {
    let routing = Routing::new()
        .router("all", Router::new("PathPrefix(`/`)", "empty"))
        .service("empty", Vec::<String>::new());
    let proxy = proxy::builder()
        .routing("r.yaml", &routing.yaml())
        .start()
        .await;
    let reply = within(
        EXCHANGE_LIMIT,
        "request",
        client::get(proxy.addr("web"), "example.com", "/"),
    )
    .await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.text(), "no available server");
}

#[tokio::test]
async fn backend_status_and_body_pass_through() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    for code in [201u16, 302, 418, 500, 503] {
        let reply = within(
            EXCHANGE_LIMIT,
            "request",
            client::get(proxy.addr("web"), "example.com", &format!("/status/{code}")),
        )
        .await;
        assert_eq!(reply.status.as_u16(), code);
        assert_eq!(
            reply.header("x-whoami-name"),
            Some("backend"),
            "{code} came from the backend"
        );
    }
}

#[tokio::test]
async fn backend_closing_without_answer_gets_502() {
    let backend = upstream::raw(|stream| async move { drop(stream) }).await;
    let proxy = catch_all(None, &backend.url()).await;
    let reply = within(
        EXCHANGE_LIMIT,
        "request",
        client::get(proxy.addr("web"), "example.com", "/"),
    )
    .await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.text(), "Bad Gateway");
}
