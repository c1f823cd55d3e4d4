#![allow(clippy::unwrap_used)] // a test panics on the unexpected

use std::sync::Arc;

use http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use portico_core::Body;
use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
use tower::ServiceExt as _;

use super::*;

fn forwarder() -> Forwarder {
    Forwarder::new(Transport::new(&TransportSettings::default()).unwrap())
}

fn target(url: &str) -> Arc<Target> {
    Arc::new(Target::parse(url).unwrap())
}

async fn text(response: HttpResponse) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn no_pickable_server_answers_503() {
    for servers in [vec![], vec![(target("http://127.0.0.1:1"), 0)]] {
        let lb = LoadBalancer::builder("empty", forwarder())
            .servers(servers)
            .build()
            .unwrap();
        assert!(!lb.health().is_up());
        let response = lb.oneshot(Request::new(Body::empty())).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(text(response).await, "no available server");
    }
}

/// The load balancer boxes each request's future. Past 1,024 bytes, glibc serves
/// that box from its slower bins instead of the thread cache, at every request;
/// it was 2,640 bytes (release build) while the future held the request.
#[test]
fn the_per_request_future_stays_under_a_kibibyte() {
    let mut lb = LoadBalancer::builder("svc", forwarder())
        .server(target("http://127.0.0.1:1"), 1)
        .build()
        .unwrap();
    let future = lb.call(Request::new(Body::empty()));
    let size = std::mem::size_of_val(&*future);
    // 944 bytes in a release build, 952 in a debug one.
    assert!(size < 1_024, "load balancer future is {size} bytes");
}

#[test]
fn health_without_checks_is_always_up() {
    let lb = LoadBalancer::builder("svc", forwarder())
        .server(target("http://127.0.0.1:1"), 1)
        .build()
        .unwrap();
    assert!(lb.health().is_up());
    assert_eq!(lb.name(), "svc");
    let statuses = lb.statuses();
    assert_eq!(statuses.len(), 1);
    assert!(statuses[0].up);
    assert_eq!(statuses[0].target.url(), "http://127.0.0.1:1");
}

#[test]
fn active_checks_need_a_runtime() {
    let err = LoadBalancer::builder("svc", forwarder())
        .server(target("http://127.0.0.1:1"), 1)
        .health_check(Some(ActiveHealthCheck::default()))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "health checks of service \"svc\" need a tokio runtime"
    );
}

#[test]
fn probe_targets_apply_scheme_and_port() {
    use crate::HealthCheckMode;
    use portico_proxy::UpstreamProtocol;

    let server = Target::parse("http://10.0.0.1:8080/base").unwrap();
    let check = ActiveHealthCheck::default();
    assert_eq!(
        check.probe_target(&server).unwrap().url(),
        "http://10.0.0.1:8080"
    );
    let check = ActiveHealthCheck {
        port: Some(9000),
        scheme: Some(UpstreamProtocol::Https),
        ..ActiveHealthCheck::default()
    };
    assert_eq!(
        check.probe_target(&server).unwrap().url(),
        "https://10.0.0.1:9000"
    );
    let check = ActiveHealthCheck {
        mode: HealthCheckMode::Grpc,
        ..ActiveHealthCheck::default()
    };
    assert_eq!(
        check.probe_target(&server).unwrap().url(),
        "h2c://10.0.0.1:8080"
    );
    let v6 = Target::parse("https://[::1]:8443").unwrap();
    assert_eq!(check.probe_target(&v6).unwrap().url(), "https://[::1]:8443");
}
