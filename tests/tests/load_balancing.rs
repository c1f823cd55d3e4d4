//! Weighted round robin across servers of one service, as Traefik's `wrr`.

use std::net::SocketAddr;

use portico_e2e::{
    EXCHANGE_LIMIT,
    routing::{Router, Routing, Service},
    within,
};
use portico_test_support::{client, proxy, upstream};

/// Starts one whoami per `(name, weight)` behind one service and returns the
/// proxy's address, keeping everything alive in the returned guards.
async fn balanced(servers: &[(&str, u32)]) -> (SocketAddr, impl Sized) {
    let mut backends = Vec::new();
    for (name, _) in servers {
        backends.push(upstream::whoami(name).await);
    }
    let service = Service::weighted(
        backends
            .iter()
            .zip(servers)
            .map(|(b, (_, w))| (b.url(), *w)),
    );
    let routing = Routing::new()
        .router("all", Router::new("PathPrefix(`/`)", "pool"))
        .service_spec("pool", service);
    let proxy = proxy::builder()
        .routing("r.yaml", &routing.yaml())
        .start()
        .await;
    (proxy.addr("web"), (proxy, backends))
}

/// Which backend answered each of `n` sequential requests.
async fn pick_n(addr: SocketAddr, n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let reply = within(
            EXCHANGE_LIMIT,
            "request",
            client::get(addr, "example.com", "/"),
        )
        .await;
        assert_eq!(reply.status, 200);
        out.push(
            reply
                .header("x-whoami-name")
                .expect("a named backend")
                .to_owned(),
        );
    }
    out
}

#[tokio::test]
async fn weights_three_and_one_give_three_to_one_in_every_four_requests() {
    let (addr, _guard) = balanced(&[("heavy", 3), ("light", 1)]).await;
    let picks = pick_n(addr, 40).await;
    for (i, window) in picks.windows(4).enumerate() {
        let heavy = window.iter().filter(|p| *p == "heavy").count();
        assert_eq!(
            heavy,
            3,
            "requests {i}..{}: {window:?} (all: {picks:?})",
            i + 4
        );
    }
}

#[tokio::test]
async fn equal_weights_alternate() {
    let (addr, _guard) = balanced(&[("a", 1), ("b", 1)]).await;
    let picks = pick_n(addr, 20).await;
    for pair in picks.windows(2) {
        assert_ne!(pair[0], pair[1], "{picks:?}");
    }
    let (addr, _guard) = balanced(&[("x", 2), ("y", 2), ("z", 2)]).await;
    let picks = pick_n(addr, 30).await;
    for window in picks.windows(3) {
        let mut names = window.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 3, "{picks:?}");
    }
}

#[tokio::test]
async fn weight_zero_is_never_picked() {
    let (addr, _guard) = balanced(&[("on-1", 1), ("off", 0), ("on-2", 1)]).await;
    let picks = pick_n(addr, 30).await;
    assert!(!picks.iter().any(|p| p == "off"), "{picks:?}");
    assert_eq!(
        picks.iter().filter(|p| *p == "on-1").count(),
        15,
        "{picks:?}"
    );
}
