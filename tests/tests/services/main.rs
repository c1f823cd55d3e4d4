//! Traefik's services through the real proxy, against backends that die, come
//! back, hang, reset and answer health checks wrongly: active [`health`] checks
//! (HTTP and gRPC), [`passive`] health checks, [`sticky`] sessions, the service
//! [`kinds`] (weighted, mirroring, failover, highestRandomWeight, references),
//! load-balancing [`strategy`], and [`stale`] keep-alive connections.
//!
//! Configuration is written as Traefik YAML. Where the signal is "the proxy's view
//! of a server changed", tests poll with short health intervals and a generous
//! deadline ([`HEALTH_DEADLINE`]) instead of sleeping.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod health;
mod kinds;
mod passive;
mod stale;
mod sticky;
mod strategy;

use std::{future::Future, net::SocketAddr, time::Duration};

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::Full;
use portico_e2e::{EXCHANGE_LIMIT, within};
use portico_test_support::{
    client::{self, Reply},
    proxy::{self, Proxy},
};
use tokio::time::Instant;

/// How long a change of health may take to show through the proxy.
const HEALTH_DEADLINE: Duration = Duration::from_secs(5);

/// Indents every line of `text` by `spaces`.
fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// A `loadBalancer` service body over `urls`, with `extra` YAML under
/// `loadBalancer` (e.g. a `healthCheck`).
fn lb(urls: &[&str], extra: &str) -> String {
    let servers: String = urls
        .iter()
        .map(|u| format!("    - url: \"{u}\"\n"))
        .collect();
    format!("loadBalancer:\n  servers:\n{servers}{}", indent(extra, 2))
}

/// A routing file: router `r` (`PathPrefix(`/`)`) sending to `service`, and
/// `services`, each a name and its YAML body (as under `http.services.<name>`).
fn routing(service: &str, services: &[(&str, String)]) -> String {
    routing_with(&[("r", "PathPrefix(`/`)", service)], services)
}

/// A routing file with `routers` (name, rule, service) and `services`.
fn routing_with(routers: &[(&str, &str, &str)], services: &[(&str, String)]) -> String {
    let routers: String = routers
        .iter()
        .map(|(name, rule, service)| {
            format!("    {name}:\n      rule: \"{rule}\"\n      service: {service}\n")
        })
        .collect();
    let services: String = services
        .iter()
        .map(|(name, body)| format!("    {name}:\n{}", indent(body, 6)))
        .collect();
    format!("http:\n  routers:\n{routers}  services:\n{services}")
}

/// A health check probing `/health` every 100ms with a 500ms timeout; `extra`
/// options (YAML, one per line) add to or replace these.
fn health_check(extra: &str) -> String {
    let set = |key: &str| extra.lines().any(|l| l.starts_with(&format!("{key}:")));
    let defaults: String = [
        ("path", "/health"),
        ("interval", "100ms"),
        ("timeout", "500ms"),
    ]
    .into_iter()
    .filter(|(key, _)| !set(key))
    .map(|(key, value)| format!("  {key}: {value}\n"))
    .collect();
    format!("healthCheck:\n{defaults}{}", indent(extra, 2))
}

/// Starts Portico with `routing` and checks that router `r` is enabled.
async fn start(routing: &str) -> Proxy {
    let proxy = proxy::builder()
        .routing("routing.yaml", routing)
        .start()
        .await;
    assert_enabled(&proxy, "r@file", routing);
    proxy
}

/// Panics unless `router` is enabled.
fn assert_enabled(proxy: &Proxy, router: &str, routing: &str) {
    let status = proxy.status();
    let state = status
        .routers
        .get(router)
        .unwrap_or_else(|| panic!("no router {router}: {status:?}"));
    assert!(
        state.enabled,
        "router {router} is disabled: {:?}\n{routing}",
        state.errors
    );
}

/// Sends one HTTP/1.1 request on a new connection, `Host: example.com`.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &'static [u8],
) -> Reply {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "example.com");
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

/// The faulty backend that answered (`X-Backend`), if one did.
fn backend(reply: &Reply) -> Option<&str> {
    reply.header("x-backend")
}

/// Which backend answered each of `n` GETs (`None` when no backend did),
/// failing on anything but 200 from a backend or 502/503 from the proxy.
async fn answers(addr: SocketAddr, n: usize) -> Vec<Option<String>> {
    let mut seen = Vec::with_capacity(n);
    for _ in 0..n {
        seen.push(backend(&get(addr, "/", &[]).await).map(str::to_owned));
    }
    seen
}

/// Polls `check` every 20ms until it holds; panics with `what` after
/// [`HEALTH_DEADLINE`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + HEALTH_DEADLINE;
    loop {
        if check().await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {HEALTH_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `n` consecutive GETs all succeed and are answered by `name`
/// alone.
async fn until_only(addr: SocketAddr, name: &str, n: usize) {
    eventually(&format!("only {name} answers"), || async {
        for _ in 0..n {
            let reply = get(addr, "/", &[]).await;
            if reply.status != 200 || backend(&reply) != Some(name) {
                return false;
            }
        }
        true
    })
    .await;
}

/// Waits until a GET is answered by `name`.
async fn until_seen(addr: SocketAddr, name: &str) {
    eventually(&format!("{name} answers"), || async {
        backend(&get(addr, "/", &[]).await) == Some(name)
    })
    .await;
}
