//! `circuitBreaker`: trips on a failing backend, answers by itself, recovers.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU16, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{Router, http::StatusCode, routing::any};
use portico_test_support::upstream;

use super::{get, routing, start};

#[tokio::test]
async fn trips_on_a_failing_backend_and_recovers() {
    let status = Arc::new(AtomicU16::new(502));
    let hits = Arc::new(AtomicUsize::new(0));
    let (s, h) = (status.clone(), hits.clone());
    let router = Router::new().fallback(any(move || {
        h.fetch_add(1, Ordering::SeqCst);
        let code = s.load(Ordering::SeqCst);
        async move {
            (
                StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
                "backend",
            )
        }
    }));
    let backend = upstream::axum(router).await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["cb"],
            "cb:\n  circuitBreaker:\n    expression: NetworkErrorRatio() > 0.5\n    checkPeriod: 10ms\n    fallbackDuration: 400ms\n    recoveryDuration: 400ms\n    responseCode: 599\n",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    assert_eq!(get(addr, "/", &[]).await.status, 502);
    // Tripped: the breaker answers, the backend is left alone.
    let open = get(addr, "/", &[]).await;
    assert_eq!(open.status.as_u16(), 599);
    let before = hits.load(Ordering::SeqCst);
    for _ in 0..5 {
        assert_eq!(get(addr, "/", &[]).await.status.as_u16(), 599);
    }
    assert_eq!(hits.load(Ordering::SeqCst), before);

    // The backend heals; after fallback and recovery everything passes again.
    status.store(200, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut consecutive = 0;
    while consecutive < 10 {
        assert!(Instant::now() < deadline, "the breaker never closed");
        if get(addr, "/", &[]).await.status == 200 {
            consecutive += 1;
        } else {
            consecutive = 0;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn invalid_expression_disables_the_router_with_the_reason() {
    let backend = upstream::whoami("b").await;
    let proxy = portico_test_support::proxy::builder()
        .routing(
            "r.yaml",
            &routing(
                &backend.url(),
                &["cb"],
                "cb:\n  circuitBreaker:\n    expression: NetworkErrorRatio() >\n",
                "",
            ),
        )
        .start()
        .await;
    let status = proxy.status();
    let router = &status.routers["r@file"];
    assert!(!router.enabled);
    assert!(
        router
            .errors
            .iter()
            .any(|e| e.contains("cb@file") && e.contains("invalid expression")),
        "{:?}",
        router.errors
    );
}
