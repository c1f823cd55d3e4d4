//! Services of services: `weighted`, `mirroring`, `failover`,
//! `highestRandomWeight`, references across providers (`name@file`), and
//! references that cannot work (cycles, unknown services).

use std::{
    collections::{BTreeMap, BTreeSet},
    net::{Ipv4Addr, SocketAddr},
    time::Duration,
};

use axum::{Router, body::Bytes as AxumBytes, http::StatusCode, routing::any};
use bytes::Bytes;
use http::{Method, Request};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use portico_e2e::{EXCHANGE_LIMIT, within};
use portico_test_support::{
    client::{self, Reply},
    faulty::{self, Fault},
    proxy,
    upstream::{self, Upstream},
};
use tokio::{net::TcpSocket, sync::mpsc, time::Instant};

use super::{
    answers, backend, eventually, get, health_check, lb, routing, send, start, until_only,
    until_seen,
};

/// An axum backend named `name` answering `status` and reporting every request's
/// method and body on the returned channel.
async fn recording(
    name: &'static str,
    status: StatusCode,
) -> (Upstream, mpsc::UnboundedReceiver<(String, String)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let router = Router::new().fallback(any(move |method: Method, body: AxumBytes| {
        let tx = tx.clone();
        async move {
            let _ = tx.send((
                method.to_string(),
                String::from_utf8_lossy(&body).into_owned(),
            ));
            (
                status,
                [("x-backend", name)],
                format!("{name} got {method}"),
            )
        }
    }));
    (upstream::axum(router).await, rx)
}

#[tokio::test]
async fn weighted_splits_exactly_by_weight() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    let weighted = "weighted:\n  services:\n    - name: svc-a\n      weight: 3\n    - name: svc-b\n      weight: 1\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", weighted.to_owned()),
            ("svc-a", lb(&[&a.url()], "")),
            ("svc-b", lb(&[&b.url()], "")),
        ],
    ))
    .await;
    let seen = answers(proxy.addr("web"), 40).await;
    assert_eq!(a.total(), 30, "{seen:?}");
    assert_eq!(b.total(), 10, "{seen:?}");
}

#[tokio::test]
async fn weighted_health_check_skips_a_child_with_no_server_up() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    let weighted =
        "weighted:\n  healthCheck: {}\n  services:\n    - name: svc-a\n    - name: svc-b\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", weighted.to_owned()),
            ("svc-a", lb(&[&a.url()], &health_check(""))),
            ("svc-b", lb(&[&b.url()], &health_check(""))),
        ],
    ))
    .await;
    let addr = proxy.addr("web");
    let seen = answers(addr, 4).await;
    assert!(seen.contains(&Some("a".into())) && seen.contains(&Some("b".into())));

    // Without `healthCheck: {}` the weighted service would keep picking svc-a,
    // answering 503 every other request.
    a.down().await;
    until_only(addr, "b", 10).await;

    b.down().await;
    eventually("both children down", || async {
        get(addr, "/", &[]).await.status == 503
    })
    .await;
    a.up().await;
    until_only(addr, "a", 5).await;
}

#[tokio::test]
async fn mirroring_copies_the_configured_share_of_requests() {
    let (main, mirror) = (faulty::start("main").await, faulty::start("mirror").await);
    let mirroring =
        "mirroring:\n  service: svc-main\n  mirrors:\n    - name: svc-mirror\n      percent: 30\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", mirroring.to_owned()),
            ("svc-main", lb(&[&main.url()], "")),
            ("svc-mirror", lb(&[&mirror.url()], "")),
        ],
    ))
    .await;
    for reply in answers(proxy.addr("web"), 200).await {
        assert_eq!(
            reply.as_deref(),
            Some("main"),
            "the client gets main's answer"
        );
    }
    assert_eq!(main.total(), 200);
    // Copies leave after the main answer: wait until their count settles.
    let mut last = usize::MAX;
    eventually("mirror copies settle", || {
        let now = mirror.total();
        let settled = now == last && now >= 45;
        last = now;
        async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            settled
        }
    })
    .await;
    let copies = mirror.total();
    assert!(
        (45..=75).contains(&copies),
        "30% of 200 requests mirrored, got {copies}"
    );
}

#[tokio::test]
async fn hanging_mirror_never_slows_the_main_response() {
    let (main, mirror) = (faulty::start("main").await, faulty::start("mirror").await);
    mirror.set(Fault::Hang);
    let mirroring =
        "mirroring:\n  service: svc-main\n  mirrors:\n    - name: svc-mirror\n      percent: 100\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", mirroring.to_owned()),
            ("svc-main", lb(&[&main.url()], "")),
            ("svc-mirror", lb(&[&mirror.url()], "")),
        ],
    ))
    .await;
    let addr = proxy.addr("web");
    let started = Instant::now();
    for _ in 0..20 {
        let reply = within(Duration::from_secs(2), "main answer", get(addr, "/", &[])).await;
        assert_eq!(reply.status, 200);
        assert_eq!(backend(&reply), Some("main"));
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // The copies did go out (and hang there).
    within(EXCHANGE_LIMIT, "copies", mirror.wait_requests(20)).await;
}

#[tokio::test]
async fn mirroring_copies_the_request_body() {
    let (main, mut main_seen) = recording("main", StatusCode::OK).await;
    let (mirror, mut mirror_seen) = recording("mirror", StatusCode::OK).await;
    let mirroring =
        "mirroring:\n  service: svc-main\n  mirrors:\n    - name: svc-mirror\n      percent: 100\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", mirroring.to_owned()),
            ("svc-main", lb(&[&main.url()], "")),
            ("svc-mirror", lb(&[&mirror.url()], "")),
        ],
    ))
    .await;
    let reply = send(proxy.addr("web"), Method::POST, "/orders", &[], b"order=42").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "main got POST");
    let expected = ("POST".to_owned(), "order=42".to_owned());
    assert_eq!(
        within(EXCHANGE_LIMIT, "main", main_seen.recv()).await,
        Some(expected.clone())
    );
    assert_eq!(
        within(EXCHANGE_LIMIT, "mirror", mirror_seen.recv()).await,
        Some(expected)
    );
}

#[tokio::test]
async fn failover_uses_the_fallback_while_main_is_down_and_goes_back() {
    let (main, fallback) = (faulty::start("main").await, faulty::start("fallback").await);
    let failover = "failover:\n  service: svc-main\n  fallback: svc-fallback\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", failover.to_owned()),
            ("svc-main", lb(&[&main.url()], &health_check(""))),
            ("svc-fallback", lb(&[&fallback.url()], "")),
        ],
    ))
    .await;
    let addr = proxy.addr("web");
    for reply in answers(addr, 5).await {
        assert_eq!(reply.as_deref(), Some("main"));
    }
    main.down().await;
    until_only(addr, "fallback", 10).await;
    main.up().await;
    until_seen(addr, "main").await;
    for reply in answers(addr, 5).await {
        assert_eq!(reply.as_deref(), Some("main"));
    }
}

#[tokio::test]
async fn failover_replays_error_statuses_on_the_fallback() {
    let main = faulty::start("main").await;
    main.set(Fault::Status(502));
    let (fallback, mut fallback_seen) = recording("fallback", StatusCode::OK).await;
    let failover = "failover:\n  service: svc-main\n  fallback: svc-fallback\n  errors:\n    status: [\"500-504\"]\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", failover.to_owned()),
            ("svc-main", lb(&[&main.url()], "")),
            ("svc-fallback", lb(&[&fallback.url()], "")),
        ],
    ))
    .await;
    let addr = proxy.addr("web");
    let reply = send(addr, Method::POST, "/pay", &[], b"amount=7").await;
    assert_eq!(reply.status, 200);
    assert_eq!(backend(&reply), Some("fallback"));
    assert_eq!(main.total(), 1, "main saw the request once");
    assert_eq!(
        within(EXCHANGE_LIMIT, "fallback", fallback_seen.recv()).await,
        Some(("POST".to_owned(), "amount=7".to_owned())),
        "the body is replayed"
    );

    // A status outside the ranges is the client's answer.
    main.set(Fault::Status(404));
    let reply = get(addr, "/", &[]).await;
    assert_eq!(reply.status, 404);
    assert_eq!(backend(&reply), Some("main"));
}

/// `GET /` from source address `ip` (any 127.0.0.0/8 address works on Linux).
async fn get_from(ip: Ipv4Addr, proxy: SocketAddr) -> Reply {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.bind(SocketAddr::from((ip, 0))).expect("bind source");
    let stream = within(EXCHANGE_LIMIT, "connect", socket.connect(proxy))
        .await
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let request = Request::get("/")
        .header("host", "example.com")
        .body(Full::new(Bytes::new()))
        .expect("request");
    let response = within(EXCHANGE_LIMIT, "request", sender.send_request(request))
        .await
        .expect("response");
    client::collect_response(response).await
}

#[tokio::test]
async fn highest_random_weight_keeps_each_client_on_one_child() {
    let backends = [
        faulty::start("h0").await,
        faulty::start("h1").await,
        faulty::start("h2").await,
    ];
    let hrw = "highestRandomWeight:\n  services:\n    - name: svc-0\n    - name: svc-1\n    - name: svc-2\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", hrw.to_owned()),
            ("svc-0", lb(&[&backends[0].url()], "")),
            ("svc-1", lb(&[&backends[1].url()], "")),
            ("svc-2", lb(&[&backends[2].url()], "")),
        ],
    ))
    .await;
    let addr = proxy.addr("web");
    let mut children = BTreeMap::new();
    for last in 1..=24u8 {
        let ip = Ipv4Addr::new(127, 0, 0, last);
        let mut seen = BTreeSet::new();
        for _ in 0..4 {
            let reply = get_from(ip, addr).await;
            assert_eq!(reply.status, 200);
            seen.insert(backend(&reply).unwrap().to_owned());
        }
        assert_eq!(seen.len(), 1, "client {ip} moved: {seen:?}");
        *children.entry(seen.pop_first().unwrap()).or_insert(0) += 1;
    }
    assert!(
        children.len() >= 2,
        "clients spread over children: {children:?}"
    );
}

#[tokio::test]
async fn references_with_a_provider_suffix_resolve() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    let weighted = "weighted:\n  services:\n    - name: svc-a@file\n    - name: svc-b@file\n";
    let proxy = proxy::builder()
        .routing(
            "routing.yaml",
            &super::routing_with(
                &[("r", "PathPrefix(`/`)", "app@file")],
                &[
                    ("app", weighted.to_owned()),
                    ("svc-a", lb(&[&a.url()], "")),
                    ("svc-b", lb(&[&b.url()], "")),
                ],
            ),
        )
        .start()
        .await;
    let status = proxy.status();
    assert!(status.routers["r@file"].enabled, "{:?}", status.problems());
    let seen = answers(proxy.addr("web"), 4).await;
    assert_eq!(a.total(), 2, "{seen:?}");
    assert_eq!(b.total(), 2, "{seen:?}");
}

/// Starts a proxy whose router `r` uses `app` and checks that the router is
/// disabled with an error containing `reason`; its requests get 404.
async fn assert_refused(services: &[(&str, String)], reason: &str) {
    let proxy = proxy::builder()
        .routing("routing.yaml", &routing("app", services))
        .start()
        .await;
    let status = proxy.status();
    let router = &status.routers["r@file"];
    assert!(!router.enabled, "router r must be disabled");
    assert!(
        router.errors.iter().any(|e| e.contains(reason)),
        "router errors {:?} should mention {reason:?}",
        router.errors
    );
    assert_eq!(get(proxy.addr("web"), "/", &[]).await.status, 404);
}

#[tokio::test]
async fn reference_cycle_disables_the_router() {
    let a = faulty::start("a").await;
    assert_refused(
        &[
            (
                "app",
                "weighted:\n  services:\n    - name: loop\n    - name: leaf\n".to_owned(),
            ),
            (
                "loop",
                "failover:\n  service: app\n  fallback: leaf\n".to_owned(),
            ),
            ("leaf", lb(&[&a.url()], "")),
        ],
        "reference cycle",
    )
    .await;
    assert_eq!(a.total(), 0);
}

#[tokio::test]
async fn unknown_service_reference_disables_the_router() {
    assert_refused(
        &[(
            "app",
            "weighted:\n  services:\n    - name: ghost@file\n".to_owned(),
        )],
        "ghost@file",
    )
    .await;
}
