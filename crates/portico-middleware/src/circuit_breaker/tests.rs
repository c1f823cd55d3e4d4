use std::{
    convert::Infallible,
    sync::{
        Arc,
        atomic::{AtomicU16, AtomicUsize, Ordering},
    },
    time::Duration,
};

use http::{Request, Response, StatusCode};
use tokio::time::advance;
use tower::{Layer, Service, ServiceExt, service_fn, util::BoxCloneService};

use super::*;

type Svc = BoxCloneService<Request<()>, Response<String>, Infallible>;

/// A backend answering `status` (changeable), counting its calls.
fn backend(
    layer: &CircuitBreakerLayer,
    status: Arc<AtomicU16>,
    delay: Duration,
    hits: Arc<AtomicUsize>,
) -> Svc {
    BoxCloneService::new(layer.layer(service_fn(move |_: Request<()>| {
        let status = status.load(Ordering::SeqCst);
        hits.fetch_add(1, Ordering::SeqCst);
        async move {
            tokio::time::sleep(delay).await;
            let mut response = Response::new(String::from("backend"));
            *response.status_mut() = StatusCode::from_u16(status).expect("status");
            Ok::<_, Infallible>(response)
        }
    })))
}

async fn send(svc: &mut Svc) -> Response<String> {
    svc.ready()
        .await
        .expect("ready")
        .call(Request::new(()))
        .await
        .expect("infallible")
}

#[tokio::test(start_paused = true)]
async fn trips_on_network_errors_then_recovers() {
    let layer = CircuitBreakerLayer::new("NetworkErrorRatio() > 0.5").expect("expression");
    let status = Arc::new(AtomicU16::new(502));
    let hits = Arc::new(AtomicUsize::new(0));
    let mut svc = backend(&layer, status.clone(), Duration::ZERO, hits.clone());

    assert_eq!(send(&mut svc).await.status(), 502);
    assert_eq!(layer.state(), BreakerState::Tripped);
    // Tripped: answered by the breaker, the backend is not called.
    let fallback = send(&mut svc).await;
    assert_eq!(fallback.status(), 503);
    assert_eq!(fallback.body(), "Service Unavailable");
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    // Still tripped just before the fallback duration ends.
    advance(Duration::from_millis(9_900)).await;
    assert_eq!(send(&mut svc).await.status(), 503);
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    // Recovering: a growing share passes; the backend is healthy again.
    status.store(200, Ordering::SeqCst);
    advance(Duration::from_millis(200)).await;
    let mut passed_early = 0;
    for _ in 0..40 {
        if send(&mut svc).await.status() == 200 {
            passed_early += 1;
        }
        advance(Duration::from_millis(50)).await;
    }
    assert_eq!(layer.state(), BreakerState::Recovering);
    // During the first 2s of a 10s recovery at most 10% may pass.
    assert!((1..=4).contains(&passed_early), "{passed_early}");
    advance(Duration::from_secs(7)).await;
    let mut passed_late = 0;
    for _ in 0..20 {
        if send(&mut svc).await.status() == 200 {
            passed_late += 1;
        }
    }
    assert!(
        passed_late > passed_early,
        "{passed_late} vs {passed_early}"
    );
    // Past the recovery duration: standby, everything passes.
    advance(Duration::from_secs(2)).await;
    for _ in 0..10 {
        assert_eq!(send(&mut svc).await.status(), 200);
    }
    assert_eq!(layer.state(), BreakerState::Standby);
}

#[tokio::test(start_paused = true)]
async fn failing_during_recovery_trips_again() {
    let layer = CircuitBreakerLayer::new("ResponseCodeRatio(500, 600, 0, 600) > 0.3")
        .expect("expression")
        .fallback_duration(Duration::from_secs(1))
        .recovery_duration(Duration::from_secs(2))
        .fallback_status(StatusCode::IM_A_TEAPOT);
    let status = Arc::new(AtomicU16::new(500));
    let hits = Arc::new(AtomicUsize::new(0));
    let mut svc = backend(&layer, status, Duration::ZERO, hits.clone());
    assert_eq!(send(&mut svc).await.status(), 500);
    let fallback = send(&mut svc).await;
    assert_eq!(fallback.status(), 418);
    assert_eq!(fallback.body(), "I'm a teapot");
    advance(Duration::from_millis(1_500)).await;
    // Keep sending until one request reaches the (still failing) backend.
    let mut reached = false;
    for _ in 0..40 {
        if send(&mut svc).await.status() == 500 {
            reached = true;
            break;
        }
        advance(Duration::from_millis(20)).await;
    }
    assert!(reached);
    assert_eq!(layer.state(), BreakerState::Tripped);
}

#[tokio::test(start_paused = true)]
async fn request_threshold_needs_volume() {
    let layer = CircuitBreakerLayer::new("NetworkErrorRatio() > 0.5 && RequestThreshold() >= 5")
        .expect("expression");
    let status = Arc::new(AtomicU16::new(504));
    let hits = Arc::new(AtomicUsize::new(0));
    let mut svc = backend(&layer, status, Duration::ZERO, hits.clone());
    for _ in 0..4 {
        assert_eq!(send(&mut svc).await.status(), 504);
        // Past the check period, so every response is evaluated.
        advance(Duration::from_millis(150)).await;
    }
    assert_eq!(layer.state(), BreakerState::Standby);
    assert_eq!(send(&mut svc).await.status(), 504);
    assert_eq!(layer.state(), BreakerState::Tripped);
}

#[tokio::test(start_paused = true)]
async fn check_period_spaces_evaluations() {
    let layer = CircuitBreakerLayer::new("NetworkErrorRatio() > 0.5")
        .expect("expression")
        .check_period(Duration::from_secs(1));
    let status = Arc::new(AtomicU16::new(200));
    let hits = Arc::new(AtomicUsize::new(0));
    let mut svc = backend(&layer, status.clone(), Duration::ZERO, hits);
    // The first response is checked (ratio 0), the next check is 1s away.
    send(&mut svc).await;
    status.store(502, Ordering::SeqCst);
    for _ in 0..5 {
        send(&mut svc).await;
    }
    assert_eq!(layer.state(), BreakerState::Standby);
    advance(Duration::from_millis(1_001)).await;
    send(&mut svc).await;
    assert_eq!(layer.state(), BreakerState::Tripped);
}

#[tokio::test(start_paused = true)]
async fn slow_backend_trips_on_latency() {
    let layer = CircuitBreakerLayer::new("LatencyAtQuantileMS(50.0) > 100").expect("expression");
    let status = Arc::new(AtomicU16::new(200));
    let hits = Arc::new(AtomicUsize::new(0));
    let mut svc = backend(&layer, status, Duration::from_millis(250), hits);
    assert_eq!(send(&mut svc).await.status(), 200);
    assert_eq!(layer.state(), BreakerState::Tripped);
    assert_eq!(send(&mut svc).await.status(), 503);
}

#[test]
fn invalid_expressions_are_refused() {
    for bad in [
        "",
        "NetworkErrorRatio()",
        "NetworkErrorRatio > 0.5",
        "ResponseCodeRatio(500, 600) > 0.5",
        "Latency() > 1",
        "NetworkErrorRatio() > 0.5 &&",
        "!NetworkErrorRatio() > 0.5",
    ] {
        let err = CircuitBreakerLayer::new(bad).expect_err(bad);
        assert!(err.to_string().starts_with("invalid expression"), "{err}");
    }
}
