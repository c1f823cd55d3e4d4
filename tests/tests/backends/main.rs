//! Talking to backends through the real proxy: `https://` servers and
//! `http.serversTransports` ([`transports`], [`transport_lifecycle`]), gRPC over
//! h2c and TLS with its trailers ([`grpc`]), responses that must not be held back
//! (server-sent events, large bodies) and WebSocket through a health-checked,
//! sticky load balancer ([`streaming`]), and cleartext HTTP/2 backends spoken to
//! by HTTP/1.1 clients ([`h2c`]).
//!
//! Every backend listens on `127.0.0.1:0`; certificates are generated per test
//! (rcgen). The configuration is Traefik YAML, as a user would write it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod grpc;
mod h2c;
mod streaming;
mod support;
mod transport_lifecycle;
mod transports;

use std::net::SocketAddr;

use portico_e2e::{EXCHANGE_LIMIT, within};
use portico_test_support::{
    client::{self, Reply},
    proxy::{self, Proxy},
};

/// Indents every line of `yaml` by `spaces`.
fn indent(yaml: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    yaml.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// A routing file: router `r` (`PathPrefix(`/`)`) to service `backend`, a load
/// balancer over `url`. With `transport`, the service names `serversTransport:
/// tr`, defined by the YAML `transport` (the body of
/// `http.serversTransports.tr`, unindented).
fn routing(url: &str, transport: Option<&str>) -> String {
    let (reference, transports) = match transport {
        Some(body) => (
            "        serversTransport: tr\n",
            format!("  serversTransports:\n    tr:\n{}", indent(body, 6)),
        ),
        None => ("", String::new()),
    };
    format!(
        "http:\n  routers:\n    r:\n      rule: PathPrefix(`/`)\n      service: backend\n  services:\n    backend:\n      loadBalancer:\n{reference}        servers:\n          - url: \"{url}\"\n{transports}"
    )
}

/// A YAML block scalar (`|`) holding `text`, for inline PEM; `indent` is the
/// indentation of its lines.
fn block(text: &str, spaces: usize) -> String {
    format!("|\n{}", indent(text.trim_end(), spaces))
}

/// Starts Portico with `routing` on the default `web` entrypoint and checks that
/// every router is enabled.
async fn start(routing: &str) -> Proxy {
    let proxy = proxy::builder()
        .routing("routing.yaml", routing)
        .start()
        .await;
    assert_enabled(&proxy, routing);
    proxy
}

/// Panics unless every router of the last applied configuration is enabled.
fn assert_enabled(proxy: &Proxy, routing: &str) {
    let status = proxy.status();
    assert!(!status.routers.is_empty(), "no router at all:\n{routing}");
    for (name, router) in &status.routers {
        assert!(
            router.enabled,
            "router {name} is disabled: {:?}\n{:?}\n{routing}",
            router.errors,
            status.problems()
        );
    }
}

/// `GET path` with `Host: example.com` over a new HTTP/1.1 connection.
async fn get(addr: SocketAddr, path: &str) -> Reply {
    within(
        EXCHANGE_LIMIT,
        "GET through the proxy",
        client::get(addr, "example.com", path),
    )
    .await
}
