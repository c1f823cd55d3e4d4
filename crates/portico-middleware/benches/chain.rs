//! Per-request cost of a typical middleware chain (`headers` + `stripPrefix` +
//! `rateLimit`, no compression) against no middleware, each layer boxed into a
//! `BoxHttpService` as the router composes them. The inner service answers at
//! once, so the figures are the middlewares' own cost (plus one `block_on`).
//!
//! Run with `cargo bench -p portico-middleware --bench chain`.

use std::{convert::Infallible, hint::black_box, time::Duration};

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderName, HeaderValue, Request};
use portico_core::{Body, BoxHttpService, ConnectionInfo, HttpResponse, box_http_service};
use portico_middleware::{
    client_ip::{IpStrategy, SourceCriterion},
    headers::HeadersLayer,
    rate_limit::RateLimitLayer,
    strip_prefix::StripPrefixLayer,
};
use tower::{Layer, Service, ServiceExt, service_fn};

fn backend() -> BoxHttpService {
    box_http_service(service_fn(|_request: Request<Body>| async {
        Ok::<_, Infallible>(HttpResponse::new(Body::from("ok")))
    }))
}

fn chain() -> BoxHttpService {
    let headers = HeadersLayer::new()
        .request_header(
            HeaderName::from_static("x-script-name"),
            Some(HeaderValue::from_static("portico")),
        )
        .response_header(
            HeaderName::from_static("x-frame-options"),
            Some(HeaderValue::from_static("DENY")),
        );
    let strip = StripPrefixLayer::new(["/api"]);
    // A limit no benchmark reaches: the cost is the bucket lookup.
    let limit = RateLimitLayer::new(
        1_000_000_000,
        Duration::from_secs(1),
        1_000_000_000,
        SourceCriterion::Ip(IpStrategy::peer()),
    );
    // The router applies the last middleware first.
    let inner = box_http_service(limit.layer(backend()));
    let inner = box_http_service(strip.layer(inner));
    box_http_service(headers.layer(inner))
}

fn request() -> Request<Body> {
    let mut request = Request::get("/api/users?page=2")
        .header("host", "example.com")
        .header("user-agent", "bench")
        .body(Body::empty())
        .expect("request");
    request.extensions_mut().insert(ConnectionInfo::new(
        "192.0.2.10:40000".parse().expect("peer"),
        "127.0.0.1:80".parse().expect("local"),
        "web".into(),
        false,
    ));
    request
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("per_request");
    for (name, mut svc) in [
        ("no_middleware", backend()),
        ("headers_strip_ratelimit", chain()),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let response = runtime.block_on(async {
                    let ready = svc.ready().await.expect("infallible");
                    ready.call(request()).await.expect("infallible")
                });
                black_box(response);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
