//! The load balancer over real backends: weighted round robin split, power of two
//! choices by load, balanced first picks, and sticky cookies (attributes, pinning,
//! re-pinning when the pinned server leaves the rotation, older cookie formats).

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod load_balancer_support;

use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use load_balancer_support::{Backend, Health, body, eventually, forwarder, get, up};
use portico_service::{
    ActiveHealthCheck, LoadBalancer, SameSite, StickyCookie, balancer::Strategy, sticky_value,
};

fn counts(bodies: &[String]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for b in bodies {
        *counts.entry(b.as_str()).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn wrr_splits_by_weight_and_never_picks_weight_zero() {
    let (a, b, c) = (
        Backend::start("a").await,
        Backend::start("b").await,
        Backend::start("c").await,
    );
    let lb = LoadBalancer::builder("svc@test", forwarder())
        .servers([(a.target(), 3), (b.target(), 1), (c.target(), 0)])
        .build()
        .unwrap();
    let mut bodies = Vec::new();
    for _ in 0..40 {
        bodies.push(body(&lb).await);
    }
    assert_eq!(counts(&bodies), BTreeMap::from([("a", 30), ("b", 10)]));
    // Smooth: never three a's in a row across cycles (a a b a a a b a ... has at most 3).
    assert!(!bodies.windows(4).any(|w| w.iter().all(|x| x == "a")));
    assert_eq!(c.requests(), 0);
}

#[tokio::test]
async fn first_picks_are_balanced_across_balancers() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let mut firsts = Vec::new();
    for strategy in [Strategy::Wrr, Strategy::P2c] {
        for _ in 0..16 {
            let lb = LoadBalancer::builder("svc@test", forwarder())
                .servers([(a.target(), 1), (b.target(), 1)])
                .strategy(strategy)
                .build()
                .unwrap();
            firsts.push(body(&lb).await);
        }
        // 16 fresh balancers all starting on the same server: odds 2^-15.
        let counts = counts(&firsts);
        assert_eq!(counts.len(), 2, "{strategy:?}: {counts:?}");
        firsts.clear();
    }
}

#[tokio::test]
async fn p2c_sends_to_the_less_loaded_server() {
    let a = Backend::start("slow").await;
    let b = Backend::start("fast").await;
    let gate = a.hold();
    let lb = LoadBalancer::builder("svc@test", forwarder())
        .servers([(a.target(), 1), (b.target(), 1)])
        .strategy(Strategy::P2c)
        .build()
        .unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for sent in 1..=20 {
        let (lb, counter) = (lb.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let body = body(&lb).await;
            counter.fetch_add(1, Ordering::SeqCst);
            body
        }));
        // Each request either completes (fast) or is held (slow) before the next.
        eventually("the request lands", || {
            done.load(Ordering::SeqCst) + a.state.held.load(Ordering::SeqCst) == sent
        })
        .await;
    }
    // Once one request is held by the slow server, every later pick sees it loaded.
    assert_eq!(a.state.held.load(Ordering::SeqCst), 1);
    gate.add_permits(100);
    let mut bodies = Vec::new();
    for task in tasks {
        bodies.push(task.await.unwrap());
    }
    assert_eq!(counts(&bodies), BTreeMap::from([("fast", 19), ("slow", 1)]));
}

#[tokio::test(start_paused = true)]
async fn sticky_cookies_pin_and_repin_when_the_server_goes_down() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let cookie = StickyCookie::new("lb")
        .http_only(true)
        .secure(true)
        .same_site(Some(SameSite::Lax))
        .max_age(Some(60))
        .path("/app")
        .domain(Some("example.com".to_owned()));
    let lb = LoadBalancer::builder("svc@test", forwarder())
        .servers([(a.target(), 1), (b.target(), 1)])
        .sticky(Some(cookie))
        .health_check(Some(ActiveHealthCheck {
            path: "/health".parse().unwrap(),
            interval: Duration::from_secs(10),
            ..ActiveHealthCheck::default()
        }))
        .build()
        .unwrap();
    let url = |name: &str| if name == "a" { a.url() } else { b.url() };

    let (_, first, set) = get(&lb, None).await;
    let value = sticky_value(&url(&first));
    assert_eq!(
        set.as_deref(),
        Some(
            format!("lb={value}; Path=/app; Domain=example.com; Max-Age=60; HttpOnly; Secure; SameSite=Lax")
                .as_str()
        )
    );
    // Honoured, without a new cookie.
    let pinned = format!("other=1; lb={value}");
    for _ in 0..6 {
        let (_, body, set) = get(&lb, Some(&pinned)).await;
        assert_eq!(body, first);
        assert_eq!(set, None);
    }

    // The pinned server fails its check: a new server, a new cookie.
    let pinned_backend = if first == "a" { &a } else { &b };
    pinned_backend.set_health(Health::Status(500));
    let index = usize::from(first == "b");
    tokio::time::sleep(Duration::from_secs(10)).await;
    eventually("the pinned server is out", || !up(&lb, index)).await;
    let (_, second, set) = get(&lb, Some(&pinned)).await;
    assert_ne!(second, first);
    let set = set.expect("a new cookie");
    assert!(
        set.starts_with(&format!("lb={}; ", sticky_value(&url(&second)))),
        "{set}"
    );
}

#[tokio::test]
async fn unknown_and_older_cookies() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let lb = LoadBalancer::builder("svc@test", forwarder())
        .servers([(a.target(), 1), (b.target(), 1)])
        .sticky(Some(StickyCookie::new("lb")))
        .build()
        .unwrap();
    // An unknown value: a new pick and a cookie.
    let (_, _, set) = get(&lb, Some("lb=nope")).await;
    assert!(set.is_some());
    // Traefik v2 cookies held the raw URL: honoured, and rewritten.
    for _ in 0..3 {
        let (_, body, set) = get(&lb, Some(&format!("lb={}", b.url()))).await;
        assert_eq!(body, "b");
        assert_eq!(set, Some(format!("lb={}; Path=/", sticky_value(&b.url()))));
    }
}
