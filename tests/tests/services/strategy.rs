//! `loadBalancer.strategy`: `p2c` spreads load and prefers the less loaded
//! server; strategies Portico does not know are refused with the key path.

use std::{collections::BTreeMap, time::Duration};

use portico_test_support::{
    faulty::{self, Fault},
    proxy,
};

use super::{answers, backend, get, lb, routing, start};

#[tokio::test]
async fn p2c_spreads_requests_over_every_server() {
    let backends = [
        faulty::start("p0").await,
        faulty::start("p1").await,
        faulty::start("p2").await,
    ];
    let urls: Vec<String> = backends.iter().map(|b| b.url()).collect();
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let proxy = start(&routing("app", &[("app", lb(&urls, "strategy: p2c\n"))])).await;
    let mut per_server: BTreeMap<String, usize> = BTreeMap::new();
    for seen in answers(proxy.addr("web"), 60).await {
        *per_server
            .entry(seen.expect("a backend answered"))
            .or_default() += 1;
    }
    assert_eq!(per_server.len(), 3, "{per_server:?}");
    assert!(per_server.values().all(|n| *n >= 5), "{per_server:?}");
}

#[tokio::test]
async fn p2c_prefers_the_less_loaded_server() {
    let (slow, fast) = (faulty::start("slow").await, faulty::start("fast").await);
    slow.set(Fault::Delay(Duration::from_millis(300)));
    let proxy = start(&routing(
        "app",
        &[("app", lb(&[&slow.url(), &fast.url()], "strategy: p2c\n"))],
    ))
    .await;
    let addr = proxy.addr("web");
    // 8 clients, 6 requests each, at the same time: the slow server holds its
    // requests in flight, so p2c sends new ones to the fast one.
    let workers: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(async move {
                let mut fast_hits = 0;
                for _ in 0..6 {
                    let reply = get(addr, "/", &[]).await;
                    assert_eq!(reply.status, 200);
                    if backend(&reply) == Some("fast") {
                        fast_hits += 1;
                    }
                }
                fast_hits
            })
        })
        .collect();
    let mut fast_hits = 0;
    for worker in workers {
        fast_hits += worker.await.expect("worker");
    }
    assert_eq!(slow.total() + fast.total(), 48);
    // Round robin would give each server 24.
    assert!(
        fast_hits >= 36,
        "fast {fast_hits}, slow {} of 48",
        slow.total()
    );
}

#[tokio::test]
async fn unknown_strategy_is_refused_with_its_key_path() {
    let backend = faulty::start("b").await;
    let routing = routing(
        "app",
        &[("app", lb(&[&backend.url()], "strategy: leastconn\n"))],
    );
    let proxy = proxy::builder()
        .routing("routing.yaml", &routing)
        .start()
        .await;
    let status = proxy.status();
    let problems = status.problems();
    assert!(!status.routers["r@file"].enabled, "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("loadBalancer.strategy") && p.contains("leastconn")),
        "{problems:?}"
    );
    assert_eq!(get(proxy.addr("web"), "/", &[]).await.status, 404);
    assert_eq!(backend.total(), 0);
}
