//! Traefik's traffic-control and resilience middlewares through the real proxy:
//! [`ip_allow_list`] (spoofed `X-Forwarded-For`, depth, exclusions), [`rate_limit`],
//! [`in_flight_req`], [`retry`], [`circuit_breaker`], [`compress`], [`buffering`],
//! [`errors`], and the example files of `config/examples/middlewares/`
//! ([`examples`]).

mod buffering;
mod circuit_breaker;
mod compress;
mod errors;
mod examples;
mod in_flight_req;
mod ip_allow_list;
mod rate_limit;
mod retry;

use std::net::SocketAddr;

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::Full;
use portico_e2e::{EXCHANGE_LIMIT, within};
use portico_test_support::{
    client::{self, Reply},
    proxy::{self, Proxy},
};

/// An install configuration whose `web` entrypoint trusts forwarded headers from
/// 127.0.0.1 (the tests' client), as behind a load balancer.
const TRUSTING: &str = "entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n    forwardedHeaders:\n      trustedIPs: [\"127.0.0.1/32\"]\n";

/// A routing file: router `r` (`PathPrefix(`/`)`) through `chain` to `backend`,
/// with `middlewares` (YAML, as under `http.middlewares`) and extra services
/// (YAML, as under `http.services`).
fn routing(backend: &str, chain: &[&str], middlewares: &str, services: &str) -> String {
    let indent = |text: &str| -> String { text.lines().map(|l| format!("    {l}\n")).collect() };
    format!(
        "http:\n  routers:\n    r:\n      rule: PathPrefix(`/`)\n      service: backend\n      middlewares: [{}]\n  services:\n    backend:\n      loadBalancer:\n        servers:\n          - url: \"{backend}\"\n{}  middlewares:\n{}",
        chain.join(", "),
        indent(services),
        indent(middlewares),
    )
}

/// Starts Portico with `routing` and checks that router `r` is enabled.
async fn start(install: Option<&str>, routing: &str) -> Proxy {
    let mut builder = proxy::builder().routing("routing.yaml", routing);
    if let Some(install) = install {
        builder = builder.install(install);
    }
    let proxy = builder.start().await;
    let status = proxy.status();
    let router = &status.routers["r@file"];
    assert!(
        router.enabled,
        "router r is disabled: {:?}\n{routing}",
        router.errors
    );
    proxy
}

/// Sends one HTTP/1.1 request (with `Host: example.com` unless `headers` name
/// another).
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &'static [u8],
) -> Reply {
    let mut builder = Request::builder().method(method).uri(path);
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        builder = builder.header("host", "example.com");
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(Bytes::from_static(body)))
        .expect("request");
    within(EXCHANGE_LIMIT, "request", client::send(addr, request)).await
}

/// `GET path` with `headers`.
async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    send(addr, Method::GET, path, headers, b"").await
}
