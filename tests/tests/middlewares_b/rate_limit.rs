//! `rateLimit`: 429 over the limit, recovery, sources.

use std::time::Duration;

use portico_test_support::upstream;

use super::{get, routing, start};

#[tokio::test]
async fn burst_then_429_then_recovery() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["limit"],
            "limit:\n  rateLimit:\n    average: 2\n    period: 1s\n    burst: 2\n",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    assert_eq!(get(addr, "/", &[]).await.status, 200);
    assert_eq!(get(addr, "/", &[]).await.status, 200);
    let limited = get(addr, "/", &[]).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.text(), "Too Many Requests");
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert!(
        limited
            .header("x-retry-in")
            .is_some_and(|v| v.ends_with("ms")),
        "{:?}",
        limited.header("x-retry-in")
    );
    // Two tokens per second: one is back after 500ms.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(get(addr, "/", &[]).await.status, 200);
}

#[tokio::test]
async fn sources_by_header_are_independent() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["limit"],
            "limit:\n  rateLimit:\n    average: 1\n    period: 1m\n    sourceCriterion:\n      requestHeaderName: X-Api-Key\n",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    assert_eq!(get(addr, "/", &[("x-api-key", "a")]).await.status, 200);
    let limited = get(addr, "/", &[("x-api-key", "a")]).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("60"));
    assert_eq!(get(addr, "/", &[("x-api-key", "b")]).await.status, 200);
}

#[tokio::test]
async fn zero_average_means_no_limit_and_redis_is_refused() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["limit"],
            "limit:\n  rateLimit:\n    burst: 1\n",
            "",
        ),
    )
    .await;
    for _ in 0..10 {
        assert_eq!(get(proxy.addr("web"), "/", &[]).await.status, 200);
    }
    let proxy = portico_test_support::proxy::builder()
        .routing(
            "r.yaml",
            &routing(
                &backend.url(),
                &["limit"],
                "limit:\n  rateLimit:\n    average: 10\n    redis:\n      endpoints: [\"127.0.0.1:6379\"]\n",
                "",
            ),
        )
        .start()
        .await;
    let status = proxy.status();
    assert!(!status.routers["r@file"].enabled);
    assert!(
        status.middlewares["limit@file"].errors[0]
            .contains("not supported by this Portico version yet")
    );
}
