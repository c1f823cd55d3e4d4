//! Stale keep-alive connections: a backend that closes a kept-alive connection
//! when it receives the next request. Idempotent requests without a body are
//! retried once on a fresh connection; a POST is never sent twice.

use http::Method;
use portico_test_support::faulty::{self, Fault};

use super::{backend, get, lb, routing, send, start};

#[tokio::test]
async fn gets_on_stale_connections_are_retried_on_fresh_ones() {
    let b = faulty::start("b").await;
    // Every connection answers its first request only; a second request on it is
    // read, then the connection closes without a byte of response.
    b.set(Fault::AbortReused(1));
    let proxy = start(&routing("app", &[("app", lb(&[&b.url()], ""))])).await;
    let addr = proxy.addr("web");
    for i in 0..30 {
        let reply = get(addr, &format!("/item/{i}"), &[]).await;
        assert_eq!(reply.status, 200, "request {i}: {}", reply.text());
        assert_eq!(backend(&reply), Some("b"));
    }
    let stats = b.stats();
    let aborted = stats
        .requests
        .iter()
        .filter(|r| r.on_connection > 1)
        .count();
    assert!(
        aborted >= 10,
        "the pooled connections went stale ({aborted} aborted, {} connections)",
        stats.connections
    );
    assert_eq!(
        stats.total,
        30 + aborted,
        "each aborted request was sent again once"
    );
}

#[tokio::test]
async fn connections_closed_after_each_response_never_cause_502() {
    let b = faulty::start("b").await;
    b.set(Fault::CloseAfter(1));
    let proxy = start(&routing("app", &[("app", lb(&[&b.url()], ""))])).await;
    let addr = proxy.addr("web");
    for i in 0..30 {
        let reply = get(addr, "/", &[]).await;
        assert_eq!(reply.status, 200, "request {i}: {}", reply.text());
    }
    assert!(b.connections() >= 30);
}

#[tokio::test]
async fn post_on_a_stale_connection_is_not_retried() {
    let b = faulty::start("b").await;
    b.set(Fault::AbortReused(1));
    let proxy = start(&routing("app", &[("app", lb(&[&b.url()], ""))])).await;
    let addr = proxy.addr("web");
    // Puts one connection in the proxy's pool.
    assert_eq!(get(addr, "/", &[]).await.status, 200);
    let reply = send(addr, Method::POST, "/orders", &[], b"order=1").await;
    assert_eq!(reply.status, 502, "{}", reply.text());
    let posts: Vec<_> = b
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(
        posts.len(),
        1,
        "the POST reached the backend once: {posts:?}"
    );
    assert_eq!(
        posts[0].on_connection, 2,
        "it went on the pooled connection"
    );
}
