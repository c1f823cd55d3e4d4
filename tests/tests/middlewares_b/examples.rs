//! Every part-B file of `config/examples/middlewares/` loads, enables its routers
//! and serves a request through them.

use std::path::PathBuf;

use portico_test_support::{proxy, upstream};

use super::{TRUSTING, get};

/// An example file, the `Host` of its router, extra request headers and the
/// status expected.
type Example = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    u16,
);

const EXAMPLES: [Example; 8] = [
    (
        "ip_allow_list.yaml",
        "admin.example.com",
        &[("x-forwarded-for", "127.0.0.1")],
        200,
    ),
    (
        "rate_limit.yaml",
        "api.example.com",
        &[("x-api-key", "k")],
        200,
    ),
    ("in_flight_req.yaml", "uploads.example.com", &[], 200),
    ("retry.yaml", "catalog.example.com", &[], 200),
    ("circuit_breaker.yaml", "payments.example.com", &[], 200),
    (
        "compress.yaml",
        "www.example.com",
        &[("accept-encoding", "br")],
        200,
    ),
    ("buffering.yaml", "forms.example.com", &[], 200),
    ("errors.yaml", "shop.example.com", &[], 200),
];

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../config/examples/middlewares")
}

#[tokio::test]
async fn every_example_loads_and_serves() {
    let backend = upstream::whoami("example").await;
    for (file, host, headers, expected) in EXAMPLES {
        let text = std::fs::read_to_string(examples_dir().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .replace("http://127.0.0.1:9001", &backend.url());
        let proxy = proxy::builder()
            .install(TRUSTING)
            .routing(file, &text)
            .start()
            .await;
        let status = proxy.status();
        for (name, router) in &status.routers {
            assert!(
                router.enabled,
                "{file}: router {name} disabled: {:?}",
                router.errors
            );
        }
        for (name, middleware) in &status.middlewares {
            assert!(
                middleware.enabled,
                "{file}: middleware {name}: {:?}",
                middleware.errors
            );
        }
        let mut all = headers.to_vec();
        all.push(("host", host));
        let reply = get(proxy.addr("web"), "/", &all).await;
        assert_eq!(reply.status.as_u16(), expected, "{file}: {}", reply.text());
    }
}

#[tokio::test]
async fn errors_example_serves_pages() {
    let backend = upstream::whoami("example").await;
    let text = std::fs::read_to_string(examples_dir().join("errors.yaml"))
        .expect("errors.yaml")
        .replace("http://127.0.0.1:9001", &backend.url());
    let proxy = proxy::builder().routing("errors.yaml", &text).start().await;
    let reply = get(
        proxy.addr("web"),
        "/status/502",
        &[("host", "shop.example.com")],
    )
    .await;
    assert_eq!(reply.status, 500);
    // whoami served the page: its dump shows the page request.
    assert!(
        reply
            .text()
            .contains("GET /500.html?original=502&from=%2Fstatus%2F502"),
        "{}",
        reply.text()
    );
}
