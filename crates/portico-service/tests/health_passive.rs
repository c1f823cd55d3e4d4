//! Passive health checks against real backends, with paused time: servers are
//! ejected after failed requests (5xx, unreachable) and tried again after the
//! window, or after the next passing active probe.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod load_balancer_support;

use std::time::Duration;

use http::StatusCode;
use load_balancer_support::{Backend, body, eventually, forwarder, get, up};
use portico_service::{ActiveHealthCheck, LoadBalancer, PassiveHealthCheck, balancer::Strategy};
use tokio::time::sleep;

fn balancer(backends: &[&Backend], passive: PassiveHealthCheck) -> LoadBalancer {
    LoadBalancer::builder("svc@test", forwarder())
        .servers(backends.iter().map(|b| (b.target(), 1)))
        .passive_health_check(Some(passive))
        .build()
        .unwrap()
}

fn passive(max_failed_attempts: u32) -> PassiveHealthCheck {
    PassiveHealthCheck {
        failure_window: Duration::from_secs(10),
        max_failed_attempts,
    }
}

#[tokio::test(start_paused = true)]
async fn failing_server_is_ejected_for_the_window_then_tried_again() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    a.set_status(500);
    let lb = balancer(&[&a, &b], passive(2));
    let health = lb.health();

    // Round robin: a fails twice within four requests, then is ejected.
    for _ in 0..4 {
        get(&lb, None).await;
    }
    assert_eq!(a.requests(), 2);
    assert!(!up(&lb, 0));
    assert!(health.is_up());
    for _ in 0..5 {
        assert_eq!(body(&lb).await, "b");
    }
    assert_eq!(a.requests(), 2);

    // After the window it is tried again, with a fresh count.
    sleep(Duration::from_secs(10)).await;
    eventually("a is tried again", || up(&lb, 0)).await;
    a.set_status(200);
    let mut seen_a = false;
    for _ in 0..4 {
        seen_a |= body(&lb).await == "a";
    }
    assert!(seen_a);
    assert!(up(&lb, 0));
}

#[tokio::test(start_paused = true)]
async fn failures_outside_the_window_or_before_a_success_do_not_add_up() {
    let a = Backend::start("a").await;
    let lb = balancer(&[&a], passive(2));
    a.set_status(502);
    assert_eq!(get(&lb, None).await.0, StatusCode::BAD_GATEWAY);
    // A success clears the count.
    a.set_status(200);
    assert_eq!(get(&lb, None).await.0, StatusCode::OK);
    a.set_status(502);
    get(&lb, None).await;
    assert!(up(&lb, 0));
    // A failure older than the window has left it.
    sleep(Duration::from_secs(11)).await;
    get(&lb, None).await;
    assert!(up(&lb, 0));
    // Two within the window eject.
    get(&lb, None).await;
    assert!(!up(&lb, 0));
    assert!(!lb.health().is_up());
    let (status, text, _) = get(&lb, None).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "no available server")
    );
    // 4xx answers are not failures.
    sleep(Duration::from_secs(10)).await;
    eventually("a is back", || up(&lb, 0)).await;
    a.set_status(404);
    for _ in 0..3 {
        get(&lb, None).await;
    }
    assert!(up(&lb, 0));
}

#[tokio::test(start_paused = true)]
async fn an_unreachable_server_is_ejected_at_the_first_failure() {
    let mut a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let lb = LoadBalancer::builder("svc@test", forwarder())
        .servers([(a.target(), 1), (b.target(), 1)])
        .strategy(Strategy::P2c)
        .passive_health_check(Some(PassiveHealthCheck::default()))
        .build()
        .unwrap();
    a.kill().await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(get(&lb, None).await.0);
    }
    // At most one request met the dead server (the first to pick it).
    let failed = statuses
        .iter()
        .filter(|s| **s == StatusCode::BAD_GATEWAY)
        .count();
    assert!(failed <= 1, "{statuses:?}");
    if failed == 1 {
        assert!(!up(&lb, 0));
    }
    assert_eq!(b.requests(), 6 - failed);
}

#[tokio::test(start_paused = true)]
async fn with_an_active_check_the_probe_brings_the_server_back() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let lb = LoadBalancer::builder("svc@test", forwarder())
        .servers([(a.target(), 1), (b.target(), 1)])
        .health_check(Some(ActiveHealthCheck {
            path: "/health".parse().unwrap(),
            interval: Duration::from_secs(60),
            ..ActiveHealthCheck::default()
        }))
        .passive_health_check(Some(passive(1)))
        .build()
        .unwrap();
    eventually("the first probes", || a.probes() == 1 && b.probes() == 1).await;
    a.set_status(500);
    for _ in 0..2 {
        get(&lb, None).await;
    }
    assert!(!up(&lb, 0));
    // The passive window does not bring it back: the next probe (at 60s) does.
    sleep(Duration::from_secs(30)).await;
    assert!(!up(&lb, 0));
    sleep(Duration::from_secs(30)).await;
    eventually("the probe passes", || up(&lb, 0)).await;
    assert_eq!(a.probes(), 2);
}
