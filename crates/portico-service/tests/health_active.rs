//! Active health checks against real backends, with paused time: servers leave the
//! rotation on failed probes (dead, hanging, wrong status, bad redirect) and come
//! back when probes pass; probes carry the configured request; tasks stop when the
//! balancer is dropped.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod load_balancer_support;

use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method, StatusCode};
use load_balancer_support::{Backend, Health, body, eventually, forwarder, get, up};
use portico_service::{ActiveHealthCheck, LoadBalancer};
use tokio::time::{Instant, sleep};

fn check() -> ActiveHealthCheck {
    ActiveHealthCheck {
        path: "/health".parse().unwrap(),
        interval: Duration::from_secs(10),
        timeout: Duration::from_secs(1),
        ..ActiveHealthCheck::default()
    }
}

fn balancer(backends: &[&Backend], check: ActiveHealthCheck) -> LoadBalancer {
    LoadBalancer::builder("svc@test", forwarder())
        .servers(backends.iter().map(|b| (b.target(), 1)))
        .health_check(Some(check))
        .build()
        .unwrap()
}

async fn bodies(lb: &LoadBalancer, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(body(lb).await);
    }
    out.sort();
    out
}

#[tokio::test(start_paused = true)]
async fn a_dead_server_leaves_the_rotation_and_rejoins_when_it_passes() {
    let mut a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let lb = balancer(&[&a, &b], check());
    // The first probes run at once; servers start in rotation.
    assert!(up(&lb, 0) && up(&lb, 1));
    eventually("the first probes", || a.probes() == 1 && b.probes() == 1).await;
    assert_eq!(bodies(&lb, 4).await, ["a", "a", "b", "b"]);

    a.kill().await;
    sleep(Duration::from_secs(10)).await;
    eventually("a is out of rotation", || !up(&lb, 0)).await;
    assert!(up(&lb, 1));
    assert_eq!(bodies(&lb, 6).await, ["b"; 6]);
    assert!(lb.health().is_up());

    a.revive().await;
    eventually("a is back in rotation", || up(&lb, 0)).await;
    assert_eq!(bodies(&lb, 4).await, ["a", "a", "b", "b"]);
}

#[tokio::test(start_paused = true)]
async fn a_hanging_server_is_marked_down_after_the_timeout() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let lb = balancer(&[&a, &b], check());
    eventually("the first probes", || a.probes() == 1).await;
    let start = Instant::now();

    a.set_health(Health::Hang);
    sleep(Duration::from_millis(10_500)).await;
    // Probed at 10s, not answered: still in rotation until the 1s timeout.
    assert_eq!(a.probes(), 2);
    assert!(up(&lb, 0));
    eventually("a is out of rotation", || !up(&lb, 0)).await;
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_secs(11), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(11_500), "{elapsed:?}");
    assert_eq!(bodies(&lb, 3).await, ["b"; 3]);
}

#[tokio::test(start_paused = true)]
async fn wrong_statuses_fail_the_check() {
    let a = Backend::start("a").await;
    let lb = balancer(&[&a], check());
    let expecting_204 = balancer(
        &[&a],
        ActiveHealthCheck {
            expected_status: Some(StatusCode::NO_CONTENT),
            ..check()
        },
    );
    eventually("the first probes", || a.probes() == 2).await;
    eventually("200 fails where 204 is expected", || !up(&expecting_204, 0)).await;
    assert!(up(&lb, 0), "200 passes the default check");

    a.set_health(Health::Status(503));
    sleep(Duration::from_secs(10)).await;
    eventually("503 fails the default check", || !up(&lb, 0)).await;

    a.set_health(Health::Status(204));
    sleep(Duration::from_secs(10)).await;
    eventually("204 passes both", || up(&lb, 0) && up(&expecting_204, 0)).await;
}

#[tokio::test(start_paused = true)]
async fn the_unhealthy_interval_applies_while_down() {
    let a = Backend::start("a").await;
    a.set_health(Health::Status(500));
    let lb = balancer(
        &[&a],
        ActiveHealthCheck {
            interval: Duration::from_secs(30),
            unhealthy_interval: Some(Duration::from_secs(5)),
            ..check()
        },
    );
    eventually("a is out of rotation", || !up(&lb, 0)).await;
    let start = Instant::now();
    assert_eq!(a.probes(), 1);
    // Down: probed every 5s.
    sleep(Duration::from_millis(15_500)).await;
    assert_eq!(a.probes(), 4);

    a.set_health(Health::Ok);
    eventually("a is back", || up(&lb, 0)).await;
    assert_eq!(a.probes(), 5);
    assert!(start.elapsed() < Duration::from_secs(21));
    // Up: probed every 30s again.
    sleep(Duration::from_secs(25)).await;
    assert_eq!(a.probes(), 5);
    sleep(Duration::from_secs(6)).await;
    assert_eq!(a.probes(), 6);
}

#[tokio::test(start_paused = true)]
async fn no_server_in_rotation_answers_503() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    a.set_health(Health::Status(500));
    b.set_health(Health::Status(500));
    let lb = balancer(&[&a, &b], check());
    let health = lb.health();
    assert!(health.is_up(), "servers start in rotation");
    eventually("every server is out", || !up(&lb, 0) && !up(&lb, 1)).await;
    assert!(!health.is_up());
    let (status, text, _) = get(&lb, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(text, "no available server");
    assert_eq!(a.requests() + b.requests(), 0);

    b.set_health(Health::Ok);
    sleep(Duration::from_secs(10)).await;
    eventually("b is back", || up(&lb, 1)).await;
    assert!(health.is_up());
    assert_eq!(body(&lb).await, "b");
}

#[tokio::test(start_paused = true)]
async fn redirects_are_followed_or_judged_as_they_are() {
    let a = Backend::start("a").await;
    // `/health` redirects to `/ready`, an ordinary path answering the app status.
    a.set_health(Health::Redirect("/ready"));
    let following = balancer(&[&a], check());
    let not_following = balancer(
        &[&a],
        ActiveHealthCheck {
            follow_redirects: false,
            ..check()
        },
    );
    let not_following_200 = balancer(
        &[&a],
        ActiveHealthCheck {
            follow_redirects: false,
            expected_status: Some(StatusCode::OK),
            ..check()
        },
    );
    eventually("three probes", || a.probes() == 3).await;
    eventually("a 200 after a redirect is expected", || {
        !up(&not_following_200, 0)
    })
    .await;
    assert!(up(&following, 0));
    assert!(up(&not_following, 0), "a 3xx passes the default check");
    assert_eq!(a.requests(), 1, "only the following check went to /ready");

    a.set_status(500);
    sleep(Duration::from_secs(10)).await;
    eventually("the redirect target fails", || !up(&following, 0)).await;
    assert!(up(&not_following, 0));

    // A redirect loop fails after 10 hops.
    a.set_health(Health::Redirect("/health"));
    a.set_status(200);
    let looping = balancer(&[&a], check());
    eventually("the loop fails", || !up(&looping, 0)).await;
}

#[tokio::test(start_paused = true)]
async fn probes_carry_the_configured_request() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let mut headers = HeaderMap::new();
    headers.insert("x-check", HeaderValue::from_static("1"));
    // Servers are `a`; the port override sends probes to `b`'s port.
    let lb = balancer(
        &[&a],
        ActiveHealthCheck {
            path: "/health?full=1".parse().unwrap(),
            method: Method::HEAD,
            port: Some(b.addr.port()),
            hostname: Some(HeaderValue::from_static("health.example")),
            headers,
            ..check()
        },
    );
    eventually("b is probed", || b.probes() == 1).await;
    assert_eq!(a.probes(), 0);
    let probe = b.state.last_probe.lock().unwrap().clone().unwrap();
    assert_eq!(probe.method, Method::HEAD);
    assert_eq!(probe.uri.path_and_query().unwrap(), "/health?full=1");
    assert_eq!(probe.headers["host"], "health.example");
    assert_eq!(probe.headers["x-check"], "1");
    assert!(!probe.headers.contains_key("x-forwarded-for"));
    assert!(up(&lb, 0));
}

#[tokio::test(start_paused = true)]
async fn probes_stop_when_the_last_clone_is_dropped() {
    let a = Backend::start("a").await;
    let lb = balancer(&[&a], check());
    eventually("the first probe", || a.probes() == 1).await;
    let clone = lb.clone();
    drop(lb);
    sleep(Duration::from_secs(10)).await;
    eventually("a clone keeps probing", || a.probes() == 2).await;

    drop(clone);
    sleep(Duration::from_secs(60)).await;
    assert_eq!(a.probes(), 2);
}

#[tokio::test(start_paused = true)]
async fn weight_zero_servers_are_not_probed() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let lb = LoadBalancer::builder("svc@test", forwarder())
        .server(a.target(), 1)
        .server(b.target(), 0)
        .health_check(Some(check()))
        .build()
        .unwrap();
    eventually("a is probed", || a.probes() == 1).await;
    sleep(Duration::from_secs(25)).await;
    assert_eq!(b.probes(), 0);
    assert_eq!(bodies(&lb, 3).await, ["a"; 3]);
}

#[tokio::test(start_paused = true)]
async fn large_pools_skip_servers_out_of_rotation() {
    // 40 servers (earliest-deadline-first picking): 20 URLs on each backend.
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let servers = (0..40).map(|i| {
        let backend = if i % 2 == 0 { &a } else { &b };
        let url = format!("{}/{i}", backend.url());
        (
            std::sync::Arc::new(portico_proxy::Target::parse(&url).unwrap()),
            1,
        )
    });
    let lb = LoadBalancer::builder("big@test", forwarder())
        .servers(servers)
        .health_check(Some(check()))
        .build()
        .unwrap();
    eventually("the first probes", || a.probes() == 20 && b.probes() == 20).await;
    let counts = |bodies: &[String]| bodies.iter().filter(|b| *b == "a").count();
    assert_eq!(counts(&bodies(&lb, 40).await), 20);

    a.set_health(Health::Status(500));
    sleep(Duration::from_secs(10)).await;
    eventually("a's servers are out", || {
        lb.statuses().iter().filter(|s| !s.up).count() == 20
    })
    .await;
    assert_eq!(bodies(&lb, 40).await, ["b"; 40]);

    a.set_health(Health::Ok);
    sleep(Duration::from_secs(10)).await;
    eventually("a's servers are back", || {
        lb.statuses().iter().all(|s| s.up)
    })
    .await;
    let back = counts(&bodies(&lb, 40).await);
    assert!((18..=22).contains(&back), "{back}");
}
