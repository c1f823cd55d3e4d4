//! Passive health checks (`passiveHealthCheck`): real request failures eject a
//! server for `failureWindow`, then it is tried again.

use portico_test_support::faulty::{self, Fault, FaultyBackend};
use tokio::time::{Duration, Instant};

use super::{get, lb, routing, start, until_seen};

/// A service over `a` and `b` with `passiveHealthCheck` and no active check.
fn passive_routing(a: &FaultyBackend, b: &FaultyBackend, window: &str, max: u32) -> String {
    let extra =
        format!("passiveHealthCheck:\n  failureWindow: {window}\n  maxFailedAttempts: {max}\n");
    routing("app", &[("app", lb(&[&a.url(), &b.url()], &extra))])
}

/// Sends `n` GETs; returns how many failed and checks that every success came
/// from `a`.
async fn failures_then_only_a(addr: std::net::SocketAddr, n: usize) -> usize {
    let mut failed = 0;
    for _ in 0..n {
        let reply = get(addr, "/", &[]).await;
        if reply.status == 200 {
            assert_eq!(reply.header("x-backend"), Some("a"));
        } else {
            assert!(reply.status.is_server_error(), "{}", reply.status);
            failed += 1;
        }
    }
    failed
}

#[tokio::test]
async fn refused_connections_eject_the_server_for_the_failure_window() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    let proxy = start(&passive_routing(&a, &b, "2s", 2)).await;
    let addr = proxy.addr("web");
    b.down().await;
    let failed = failures_then_only_a(addr, 20).await;
    let ejected = Instant::now();
    assert_eq!(
        failed, 2,
        "b is ejected after maxFailedAttempts (2) failures"
    );

    b.up().await;
    until_seen(addr, "b").await;
    assert!(
        ejected.elapsed() >= Duration::from_millis(1500),
        "b came back before its failure window (2s) passed: {:?}",
        ejected.elapsed()
    );
}

#[tokio::test]
async fn reset_connections_eject_the_server() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    b.set(Fault::Reset);
    let proxy = start(&passive_routing(&a, &b, "1s", 1)).await;
    let addr = proxy.addr("web");
    let failed = failures_then_only_a(addr, 20).await;
    assert_eq!(failed, 1, "one reset ejects b (maxFailedAttempts 1)");
    assert!(b.total() >= 1);

    b.set(Fault::Healthy);
    until_seen(addr, "b").await;
}

#[tokio::test]
async fn server_errors_count_as_failures() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    b.set(Fault::Status(500));
    let proxy = start(&passive_routing(&a, &b, "5s", 3)).await;
    let failed = failures_then_only_a(proxy.addr("web"), 20).await;
    assert_eq!(failed, 3, "three 500s eject b (maxFailedAttempts 3)");
    assert_eq!(b.total(), 3);
}
