use std::{
    convert::Infallible,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use http::{HeaderName, Request, Response};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt, service_fn};

use super::*;

fn by_key() -> SourceCriterion {
    SourceCriterion::RequestHeader(HeaderName::from_static("x-key"))
}

type Svc = tower::util::BoxCloneService<Request<()>, Response<String>, Infallible>;

fn service(layer: &RateLimitLayer, hits: Arc<AtomicUsize>) -> Svc {
    tower::util::BoxCloneService::new(layer.layer(service_fn(move |_: Request<()>| {
        hits.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, Infallible>(Response::new(String::from("ok"))) }
    })))
}

async fn send(svc: &mut Svc, key: &str) -> Response<String> {
    let request = Request::builder()
        .header("x-key", key)
        .body(())
        .expect("request");
    svc.ready()
        .await
        .expect("ready")
        .call(request)
        .await
        .expect("infallible")
}

#[tokio::test(start_paused = true)]
async fn burst_then_429_then_refill() {
    let hits = Arc::new(AtomicUsize::new(0));
    // 10 per second, burst 3: the 4th immediate request would wait 100ms, more
    // than the 50ms Traefik is willing to delay.
    let layer = RateLimitLayer::new(10, Duration::from_secs(1), 3, by_key());
    let mut svc = service(&layer, hits.clone());
    for _ in 0..3 {
        assert_eq!(send(&mut svc, "a").await.status(), 200);
    }
    let rejected = send(&mut svc, "a").await;
    assert_eq!(rejected.status(), 429);
    assert_eq!(rejected.body(), "Too Many Requests");
    assert_eq!(rejected.headers()["retry-after"], "1");
    assert_eq!(rejected.headers()["x-retry-in"], "100ms");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    // Another source has its own bucket.
    assert_eq!(send(&mut svc, "b").await.status(), 200);
    // 300ms later three tokens are back, not four.
    tokio::time::advance(Duration::from_millis(300)).await;
    for _ in 0..3 {
        assert_eq!(send(&mut svc, "a").await.status(), 200);
    }
    assert_eq!(send(&mut svc, "a").await.status(), 429);
}

#[tokio::test(start_paused = true)]
async fn short_waits_are_delayed_not_rejected() {
    let hits = Arc::new(AtomicUsize::new(0));
    // One per second: Traefik delays up to 500ms.
    let layer = RateLimitLayer::new(1, Duration::from_secs(1), 1, by_key());
    let mut svc = service(&layer, hits.clone());
    assert_eq!(send(&mut svc, "a").await.status(), 200);
    let rejected = send(&mut svc, "a").await;
    assert_eq!(rejected.status(), 429);
    assert_eq!(rejected.headers()["x-retry-in"], "1s");
    tokio::time::advance(Duration::from_millis(600)).await;
    let start = Instant::now();
    assert_eq!(send(&mut svc, "a").await.status(), 200);
    assert_eq!(start.elapsed(), Duration::from_millis(400));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn period_scales_the_rate() {
    let hits = Arc::new(AtomicUsize::new(0));
    // 6 per minute = one per 10s, burst 2.
    let layer = RateLimitLayer::new(6, Duration::from_secs(60), 2, by_key());
    let mut svc = service(&layer, hits.clone());
    assert_eq!(send(&mut svc, "a").await.status(), 200);
    assert_eq!(send(&mut svc, "a").await.status(), 200);
    let rejected = send(&mut svc, "a").await;
    assert_eq!(rejected.status(), 429);
    assert_eq!(rejected.headers()["retry-after"], "10");
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(send(&mut svc, "a").await.status(), 200);
    assert_eq!(send(&mut svc, "a").await.status(), 429);
}

#[tokio::test(start_paused = true)]
async fn zero_average_is_no_limit() {
    let hits = Arc::new(AtomicUsize::new(0));
    let layer = RateLimitLayer::new(0, Duration::from_secs(1), 1, by_key());
    let mut svc = service(&layer, hits.clone());
    for _ in 0..100 {
        assert_eq!(send(&mut svc, "a").await.status(), 200);
    }
    assert_eq!(layer.tracked_sources(), 0);
}

#[tokio::test(start_paused = true)]
async fn memory_is_bounded_under_many_sources() {
    let hits = Arc::new(AtomicUsize::new(0));
    let layer = RateLimitLayer::new(1, Duration::from_secs(1), 1, by_key()).max_sources(100);
    let mut svc = service(&layer, hits.clone());
    for i in 0..5_000 {
        assert_eq!(send(&mut svc, &format!("k{i}")).await.status(), 200);
        assert!(
            layer.tracked_sources() <= 100,
            "{}",
            layer.tracked_sources()
        );
    }
    // A recent source keeps its (empty) bucket through the flood's end.
    assert_eq!(send(&mut svc, "k4999").await.status(), 429);
}

#[tokio::test(start_paused = true)]
async fn idle_buckets_expire() {
    let hits = Arc::new(AtomicUsize::new(0));
    let layer = RateLimitLayer::new(10, Duration::from_secs(1), 5, by_key());
    let mut svc = service(&layer, hits.clone());
    for i in 0..50 {
        send(&mut svc, &format!("k{i}")).await;
    }
    assert_eq!(layer.tracked_sources(), 50);
    // Full again after burst / rate = 0.5s, forgotten within two more TTLs.
    tokio::time::advance(Duration::from_secs(4)).await;
    send(&mut svc, "fresh").await;
    assert_eq!(layer.tracked_sources(), 1);
}

#[test]
fn go_duration_format() {
    let cases = [
        (Duration::ZERO, "0s"),
        (Duration::from_nanos(999), "999ns"),
        (Duration::from_nanos(1_500), "1.5µs"),
        (Duration::from_millis(100), "100ms"),
        (Duration::from_micros(1_250), "1.25ms"),
        (Duration::from_secs(1), "1s"),
        (Duration::from_millis(1_500), "1.5s"),
        (Duration::from_secs(62), "1m2s"),
        (Duration::from_secs(3_600), "1h0m0s"),
    ];
    for (d, text) in cases {
        assert_eq!(go_duration(d), text);
    }
}
