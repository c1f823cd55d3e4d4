//! `retry` against real backends: unreachable servers, failing statuses, POST.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use axum::{Router, http::StatusCode, routing::any};
use http::Method;
use portico_test_support::upstream;

use super::{get, routing, send, start};

/// A backend answering 503 `failures` times, then 200; it counts requests.
async fn flaky(failures: usize) -> (upstream::Upstream, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let router = Router::new().fallback(any(move |body: String| {
        let n = counted.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < failures {
                (StatusCode::SERVICE_UNAVAILABLE, format!("failure {n}"))
            } else {
                (StatusCode::OK, format!("ok after {n}: {body}"))
            }
        }
    }));
    (upstream::axum(router).await, hits)
}

#[tokio::test]
async fn failing_status_is_retried_until_success() {
    let (backend, hits) = flaky(2).await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["retry"],
            "retry:\n  retry:\n    attempts: 3\n    initialInterval: 10ms\n    status: [\"500-599\"]\n",
            "",
        ),
    )
    .await;
    let reply = get(proxy.addr("web"), "/", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "ok after 2: ");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn post_is_never_resent_by_default() {
    let (backend, hits) = flaky(5).await;
    let config = |extra: &str| {
        routing(
            &backend.url(),
            &["retry"],
            &format!("retry:\n  retry:\n    attempts: 3\n    status: [\"503\"]\n{extra}"),
            "",
        )
    };
    let proxy = start(None, &config("")).await;
    let reply = send(proxy.addr("web"), Method::POST, "/", &[], b"order=1").await;
    assert_eq!(reply.status, 503);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a POST must not be sent twice"
    );
    // PUT is idempotent: retried.
    let reply = send(proxy.addr("web"), Method::PUT, "/", &[], b"x").await;
    assert_eq!(reply.status, 503);
    assert_eq!(hits.load(Ordering::SeqCst), 4);

    // With retryNonIdempotentMethod the POST is replayed, body included.
    let (backend, hits) = flaky(1).await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["retry"],
            "retry:\n  retry:\n    attempts: 3\n    status: [\"503\"]\n    retryNonIdempotentMethod: true\n",
            "",
        ),
    )
    .await;
    let reply = send(proxy.addr("web"), Method::POST, "/", &[], b"order=1").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "ok after 1: order=1");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn unreachable_server_is_retried_on_the_next_one() {
    let backend = upstream::whoami("alive").await;
    let dead = format!("http://{}", upstream::refused_address());
    let services = format!(
        "pair:\n  loadBalancer:\n    servers:\n      - url: \"{dead}\"\n      - url: \"{}\"\n",
        backend.url()
    );
    let config = routing(
        &backend.url(),
        &["retry"],
        "retry:\n  retry:\n    attempts: 2\n",
        &services,
    )
    .replace("service: backend", "service: pair");
    let proxy = start(None, &config).await;
    // Round robin alternates: every request that first meets the dead server is
    // retried on the live one, a POST too (the dead server never saw it).
    for i in 0..4 {
        let method = if i % 2 == 0 {
            Method::GET
        } else {
            Method::POST
        };
        let reply = send(proxy.addr("web"), method, "/", &[], b"hi").await;
        assert_eq!(reply.status, 200, "request {i}: {}", reply.text());
    }
    // Without retry, half of them fail.
    let config = routing(
        &backend.url(),
        &[],
        "retry:\n  retry:\n    attempts: 2\n",
        &services,
    )
    .replace("service: backend", "service: pair");
    let proxy = start(None, &config).await;
    let mut failures = 0;
    for _ in 0..4 {
        if get(proxy.addr("web"), "/", &[]).await.status == 502 {
            failures += 1;
        }
    }
    assert_eq!(failures, 2);
}
