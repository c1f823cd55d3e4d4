//! Active health checks (`healthCheck`): servers that die, hang, answer their
//! health path wrongly, over HTTP and gRPC, and across a reload.

use std::time::Duration;

use http::Method;
use portico_e2e::{EXCHANGE_LIMIT, within};
use portico_test_support::{
    faulty::{self, Fault},
    grpc::{self, GrpcClient},
};

use super::{
    HEALTH_DEADLINE, answers, backend, eventually, get, health_check, lb, routing, routing_with,
    start, until_only, until_seen,
};

#[tokio::test]
async fn dead_server_leaves_rotation_and_rejoins_when_back() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    let proxy = start(&routing(
        "app",
        &[("app", lb(&[&a.url(), &b.url()], &health_check("")))],
    ))
    .await;
    let addr = proxy.addr("web");
    let seen = answers(addr, 4).await;
    assert!(seen.contains(&Some("a".into())) && seen.contains(&Some("b".into())));

    b.down().await;
    until_only(addr, "a", 10).await;
    // Out of rotation: a burst never reaches the dead server (no 502).
    for reply in answers(addr, 20).await {
        assert_eq!(reply.as_deref(), Some("a"));
    }

    b.up().await;
    until_seen(addr, "b").await;
    let seen = answers(addr, 10).await;
    let from_b = seen.iter().filter(|s| s.as_deref() == Some("b")).count();
    assert!(
        (4..=6).contains(&from_b),
        "b is back in the round robin: {seen:?}"
    );
}

#[tokio::test]
async fn hanging_health_endpoint_times_out_and_marks_the_server_down() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    // b answers real requests, but its health path never answers.
    b.set_health(Some(Fault::Hang));
    let proxy = start(&routing(
        "app",
        &[(
            "app",
            lb(&[&a.url(), &b.url()], &health_check("timeout: 200ms")),
        )],
    ))
    .await;
    let addr = proxy.addr("web");
    until_only(addr, "a", 10).await;
    assert!(b.count("/health") >= 1, "b was probed");

    // When the health path answers again, b comes back.
    b.set_health(None);
    until_seen(addr, "b").await;
}

#[tokio::test]
async fn failing_health_status_marks_the_server_down() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    b.set(Fault::HealthStatus(500));
    let proxy = start(&routing(
        "app",
        &[("app", lb(&[&a.url(), &b.url()], &health_check("")))],
    ))
    .await;
    let addr = proxy.addr("web");
    until_only(addr, "a", 10).await;
    // b itself still answers real requests: only its health path is wrong.
    assert_eq!(get(b.addr(), "/", &[]).await.status, 200);
    b.set(Fault::Healthy);
    until_seen(addr, "b").await;
}

#[tokio::test]
async fn status_option_is_the_one_passing_status() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    // a answers its health path 202, b answers 200: both pass by default (2xx).
    a.set(Fault::HealthStatus(202));
    let services = |extra: &str| {
        routing(
            "app",
            &[("app", lb(&[&a.url(), &b.url()], &health_check(extra)))],
        )
    };
    let proxy = start(&services("")).await;
    let addr = proxy.addr("web");
    within(HEALTH_DEADLINE, "probes", async {
        a.wait_path("/health", 2).await;
        b.wait_path("/health", 2).await;
    })
    .await;
    let seen = answers(addr, 6).await;
    assert!(
        seen.contains(&Some("a".into())) && seen.contains(&Some("b".into())),
        "without `status` any 2xx passes: {seen:?}"
    );

    // With `status: 202`, b's 200 fails.
    proxy.write_routing("routing.yaml", &services("status: 202"));
    proxy.reload_routing().await;
    until_only(addr, "a", 10).await;
}

#[tokio::test]
async fn unhealthy_interval_paces_probes_while_down() {
    let b = faulty::start("b").await;
    b.set(Fault::HealthStatus(503));
    let check = "healthCheck:\n  path: /health\n  interval: 1h\n  unhealthyInterval: 50ms\n  timeout: 500ms\n";
    let proxy = start(&routing("app", &[("app", lb(&[&b.url()], check))])).await;
    let addr = proxy.addr("web");
    // With a 1h interval, several probes within seconds only come from the
    // unhealthy interval.
    within(HEALTH_DEADLINE, "probes at the unhealthy interval", async {
        b.wait_path("/health", 5).await;
    })
    .await;
    assert_eq!(get(addr, "/", &[]).await.status, 503);

    b.set(Fault::Healthy);
    until_seen(addr, "b").await;
    // Back up: the next probe is an hour away.
    let probes = b.count("/health");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        b.count("/health") <= probes + 1,
        "a passing server is probed at `interval` (1h), not `unhealthyInterval`"
    );
}

#[tokio::test]
async fn probe_carries_path_method_hostname_and_headers() {
    let b = faulty::start("b").await;
    b.set_health_path("/ready");
    let check = "healthCheck:\n  path: /ready?deep=1\n  method: HEAD\n  hostname: health.example.com\n  headers:\n    X-Probe: portico\n  interval: 100ms\n";
    let _proxy = start(&routing("app", &[("app", lb(&[&b.url()], check))])).await;
    within(HEALTH_DEADLINE, "a probe", b.wait_path("/ready", 1)).await;
    let probe = b
        .requests()
        .into_iter()
        .find(|r| r.target.starts_with("/ready"))
        .expect("a probe");
    assert_eq!(probe.method, "HEAD");
    assert_eq!(probe.target, "/ready?deep=1");
    assert_eq!(
        probe.headers.get("host").and_then(|h| h.to_str().ok()),
        Some("health.example.com")
    );
    assert_eq!(
        probe.headers.get("x-probe").and_then(|h| h.to_str().ok()),
        Some("portico")
    );
}

#[tokio::test]
async fn port_option_probes_another_port() {
    let (served, probed) = (faulty::start("served").await, faulty::start("probed").await);
    let check = format!(
        "healthCheck:\n  path: /health\n  port: {}\n  interval: 100ms\n",
        probed.addr().port()
    );
    let proxy = start(&routing("app", &[("app", lb(&[&served.url()], &check))])).await;
    within(HEALTH_DEADLINE, "a probe", probed.wait_path("/health", 1)).await;
    assert_eq!(served.count("/health"), 0);
    // The probed port decides: failing there takes the served server out.
    probed.set(Fault::HealthStatus(500));
    let addr = proxy.addr("web");
    eventually("the server leaves the rotation", || async {
        get(addr, "/", &[]).await.status == 503
    })
    .await;
}

#[tokio::test]
async fn all_servers_down_answers_503_no_available_server() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    let proxy = start(&routing(
        "app",
        &[("app", lb(&[&a.url(), &b.url()], &health_check("")))],
    ))
    .await;
    let addr = proxy.addr("web");
    a.down().await;
    b.down().await;
    eventually("no server left", || async {
        get(addr, "/", &[]).await.status == 503
    })
    .await;
    let reply = get(addr, "/", &[]).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.text().trim(), "no available server");
    // A HEAD is refused alike, without a body.
    let reply = super::send(addr, Method::HEAD, "/", &[], b"").await;
    assert_eq!(reply.status, 503);

    a.up().await;
    until_only(addr, "a", 5).await;
}

#[tokio::test]
async fn grpc_mode_follows_the_grpc_health_service() {
    let (g1, g2) = (grpc::h2c("g1").await, grpc::h2c("g2").await);
    let check = "healthCheck:\n  mode: grpc\n  interval: 100ms\n  timeout: 500ms\n";
    let proxy = start(&routing(
        "app",
        &[("app", lb(&[&g1.url(), &g2.url()], check))],
    ))
    .await;
    let mut client = within(
        EXCHANGE_LIMIT,
        "connect",
        GrpcClient::h2c(proxy.addr("web"), "grpc.test"),
    )
    .await
    .expect("h2c connection to the proxy");
    let mut servers = Vec::new();
    for i in 0..4 {
        let reply = within(EXCHANGE_LIMIT, "unary", client.unary(&format!("m{i}")))
            .await
            .expect("reply");
        servers.push(reply.server);
    }
    assert!(servers.iter().any(|s| s == "g1") && servers.iter().any(|s| s == "g2"));

    g2.set_serving(false).await;
    let deadline = tokio::time::Instant::now() + HEALTH_DEADLINE;
    let mut streak = 0;
    while streak < 10 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "g2 still in rotation"
        );
        let reply = within(EXCHANGE_LIMIT, "unary", client.unary("x")).await;
        streak = match reply {
            Ok(r) if r.server == "g1" => streak + 1,
            _ => 0,
        };
    }

    g2.set_serving(true).await;
    let deadline = tokio::time::Instant::now() + HEALTH_DEADLINE;
    loop {
        assert!(tokio::time::Instant::now() < deadline, "g2 never came back");
        let reply = within(EXCHANGE_LIMIT, "unary", client.unary("y")).await;
        if reply.is_ok_and(|r| r.server == "g2") {
            break;
        }
    }
}

#[tokio::test]
async fn health_state_survives_a_reload_of_another_router() {
    let (a, b) = (faulty::start("a").await, faulty::start("b").await);
    // b fails its first probe, then its health path hangs: a freshly built balancer
    // would put b in rotation until a probe times out (5s), and one with the state
    // kept waits `unhealthyInterval` (1h) before probing again.
    b.set(Fault::HealthStatus(500));
    let check = "healthCheck:\n  path: /health\n  interval: 100ms\n  unhealthyInterval: 1h\n";
    let app = ("app", lb(&[&a.url(), &b.url()], check));
    let other = faulty::start("other").await;
    let proxy = start(&routing("app", std::slice::from_ref(&app))).await;
    let addr = proxy.addr("web");
    until_only(addr, "a", 10).await;
    b.set(Fault::Healthy);
    b.set_health(Some(Fault::Hang));
    let probes = b.count("/health");
    let real = b.count("/");

    proxy.write_routing(
        "routing.yaml",
        &routing_with(
            &[
                ("r", "PathPrefix(`/`)", "app"),
                ("extra", "PathPrefix(`/other`)", "other"),
            ],
            &[app, ("other", lb(&[&other.url()], ""))],
        ),
    );
    let status = proxy.reload_routing().await;
    assert!(status.routers["extra@file"].enabled, "the reload applied");
    assert_eq!(backend(&get(addr, "/other", &[]).await), Some("other"));

    for reply in answers(addr, 20).await {
        assert_eq!(reply.as_deref(), Some("a"), "b must stay out after reload");
    }
    assert_eq!(b.count("/health"), probes, "no new balancer probed b");
    assert_eq!(b.count("/"), real, "b got no real request after the reload");
}
