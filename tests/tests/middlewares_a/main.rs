//! Traefik's rewriting, redirect, header and authentication middlewares through
//! the real proxy: path rewrites and their safety ([`path`]), redirects
//! ([`redirect`]), headers and CORS ([`headers`]), `basicAuth` and `digestAuth`
//! ([`auth`]), `forwardAuth` over http and https ([`forward_auth`]),
//! `contentType`, `encodedCharacters`, `passTLSClientCert` and `grpcWeb`
//! ([`misc`]), configuration errors ([`errors`]) and the example files of
//! `config/examples/middlewares/` ([`examples`]).

mod auth;
mod errors;
mod examples;
mod forward_auth;
mod headers;
mod misc;
mod path;
mod redirect;

use std::net::SocketAddr;

use portico_e2e::{send_raw, whoami::Seen, wire, wire::RawResponse};
use portico_test_support::proxy::{self, Proxy};

/// An install configuration whose `web` entrypoint trusts forwarded headers from
/// 127.0.0.1 (the tests' client), as behind a TLS-terminating load balancer.
const TRUSTING: &str = "entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n    forwardedHeaders:\n      trustedIPs: [\"127.0.0.1/32\"]\n";

/// YAML indented by `spaces`.
fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// A routing file: router `r` (`rule`) through `chain` to `backend`, plus the
/// `middlewares` YAML (as under `http.middlewares`) and extra `routers` YAML (as
/// under `http.routers`, sending to `backend` too).
fn routing(backend: &str, rule: &str, chain: &[&str], middlewares: &str, routers: &str) -> String {
    format!(
        "http:\n  routers:\n    r:\n      rule: \"{}\"\n      service: backend\n      middlewares: [{}]\n{}  services:\n    backend:\n      loadBalancer:\n        servers:\n          - url: \"{backend}\"\n  middlewares:\n{}",
        rule.replace('\\', "\\\\").replace('"', "\\\""),
        chain.join(", "),
        indent(routers, 4),
        indent(middlewares, 4),
    )
}

/// Starts Portico with `routing` (and `install`) and checks router `r` is enabled.
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
        "router r is disabled: {:?}\n{:?}\n{routing}",
        router.errors, status.middlewares
    );
    proxy
}

/// Sends `method target` byte-exact with `Host: example.com` (unless `headers`
/// name one), the `headers` and `Connection: close`.
async fn exchange(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> RawResponse {
    let host = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map_or("example.com", |(_, v)| *v);
    let mut all: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
        .copied()
        .collect();
    all.push(("Connection", "close"));
    send_raw(addr, &wire::request(method, target, Some(host), &all)).await
}

/// `GET target`; what the whoami backend saw (panics when it did not answer).
async fn seen(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Seen {
    let response = exchange(addr, "GET", target, headers).await;
    assert_eq!(response.status, 200, "{target}: {}", response.text());
    Seen::parse(&response.text())
        .unwrap_or_else(|| panic!("{target}: not a whoami dump: {}", response.text()))
}
