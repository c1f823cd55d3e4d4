//! gRPC-mode health checks against a small h2c server answering the gRPC health
//! protocol by hand: SERVING passes; NOT_SERVING, a grpc-status error, or a plain
//! HTTP answer fail.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod load_balancer_support;

use std::time::Duration;

use load_balancer_support::{Backend, Health, eventually, forwarder, up};
use portico_service::{ActiveHealthCheck, HealthCheckMode, LoadBalancer};
use tokio::time::sleep;

fn grpc_balancer(backend: &Backend) -> LoadBalancer {
    LoadBalancer::builder("grpc@test", forwarder())
        .server(backend.target(), 1)
        .health_check(Some(ActiveHealthCheck {
            mode: HealthCheckMode::Grpc,
            interval: Duration::from_secs(10),
            timeout: Duration::from_secs(1),
            ..ActiveHealthCheck::default()
        }))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn serving_passes_and_everything_else_fails() {
    let a = Backend::start("a").await;
    a.set_health(Health::Grpc(1));
    let lb = grpc_balancer(&a);
    eventually("the first probe", || a.probes() == 1).await;
    assert!(up(&lb, 0));
    let probe = a.state.last_probe.lock().unwrap().clone().unwrap();
    // An `http://` server is probed over h2c, as gRPC needs HTTP/2.
    assert_eq!(probe.version, http::Version::HTTP_2);
    assert_eq!(probe.method, http::Method::POST);
    assert_eq!(probe.uri.path(), "/grpc.health.v1.Health/Check");
    assert_eq!(probe.headers["content-type"], "application/grpc");
    assert_eq!(probe.headers["te"], "trailers");

    let cases = [
        (Health::Grpc(2), false),       // NOT_SERVING
        (Health::Grpc(1), true),        // SERVING again
        (Health::GrpcError(12), false), // UNIMPLEMENTED, trailers-only
        (Health::Grpc(1), true),
        (Health::Grpc(0), false), // UNKNOWN
        (Health::Grpc(1), true),
        (Health::Ok, false), // a plain HTTP answer: no grpc-status
    ];
    for (probes, (health, passes)) in (2..).zip(cases) {
        a.set_health(health.clone());
        sleep(Duration::from_secs(10)).await;
        eventually(&format!("{health:?} judged"), || {
            a.probes() == probes && up(&lb, 0) == passes
        })
        .await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_grpc_server_times_out() {
    let a = Backend::start("a").await;
    a.set_health(Health::Hang);
    let lb = grpc_balancer(&a);
    eventually("the probe times out", || !up(&lb, 0)).await;
    assert_eq!(a.probes(), 1);
}
