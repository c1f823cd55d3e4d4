//! The Kubernetes providers through the real proxy: IngressRoutes and friends
//! read from [`manifests`] (files, watched) and from a fake API server speaking
//! the real list + watch protocol ([`api_server`]), and Ingress objects
//! ([`ingress`]); routed to real backends resolved through Services and
//! EndpointSlices of `127.0.0.1` addresses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_server;
mod ingress;
mod manifests;

use std::{net::SocketAddr, path::Path, time::Duration};

use portico::router::RuntimeStatus;
use portico_e2e::within;
use portico_test_support::{client, proxy::Proxy};

/// How long a change may take to show through the proxy.
const DEADLINE: Duration = Duration::from_secs(10);

/// The seed IngressRoute of the issue, in `group`.
fn seed_route(group: &str) -> String {
    format!(
        "apiVersion: {group}
kind: IngressRoute
metadata: {{name: my-app, namespace: default}}
spec:
  entryPoints: [web, websecure]
  routes:
    - match: Host(`my-app.example.com`) && PathPrefix(`/api`)
      kind: Rule
      services:
        - name: my-app-service
          port: 80
"
    )
}

/// A Service `name` (port 80, named `http`) and its EndpointSlice sending to
/// `backends` (127.0.0.1 ports), in namespace `ns`.
fn service(ns: &str, name: &str, backends: &[SocketAddr]) -> String {
    let port = backends.first().map_or(1, SocketAddr::port);
    let addresses: String = backends
        .iter()
        .map(|b| {
            format!(
                "      - addresses: [\"{}\"]\n        conditions: {{ready: true}}\n",
                b.ip()
            )
        })
        .collect();
    assert!(
        backends.iter().all(|b| b.port() == port),
        "one EndpointSlice port for all backends"
    );
    format!(
        "apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  ports: [{{name: http, port: 80}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: {name}-abcde
  namespace: {ns}
  labels: {{kubernetes.io/service-name: {name}}}
addressType: IPv4
ports: [{{name: http, port: {port}}}]
endpoints:
{addresses}"
    )
}

/// Install configuration: entrypoints `web` and `websecure` (TLS) on
/// `127.0.0.1:0`, a short provider throttle, and `providers` (YAML under
/// `providers:`).
fn install(providers: &str) -> String {
    let providers: String = providers.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "entryPoints:
  web: {{address: \"127.0.0.1:0\"}}
  websecure:
    address: \"127.0.0.1:0\"
    http: {{tls: {{}}}}
providers:
  providersThrottleDuration: 20ms
{providers}"
    )
}

/// Waits until the applied status satisfies `ok`.
async fn until_status(
    proxy: &Proxy,
    what: &str,
    ok: impl Fn(&RuntimeStatus) -> bool,
) -> RuntimeStatus {
    let mut applied = proxy.handle().applied();
    within(DEADLINE, what, async {
        loop {
            let status = proxy.status();
            if ok(&status) {
                return status;
            }
            applied.changed().await.expect("proxy running");
        }
    })
    .await
}

/// The router whose name starts with `prefix`, enabled or not, with its errors.
fn router<'s>(status: &'s RuntimeStatus, prefix: &str) -> Option<(&'s str, bool, &'s [String])> {
    status
        .routers
        .iter()
        .find(|(name, _)| name.starts_with(prefix))
        .map(|(name, r)| (name.as_str(), r.enabled, r.errors.as_slice()))
}

/// Polls `GET path` with `host` until the body contains `expected`.
async fn until_body(addr: SocketAddr, host: &str, path: &str, expected: &str) {
    let mut last = String::new();
    let polled = tokio::time::timeout(DEADLINE, async {
        loop {
            let reply = client::get(addr, host, path).await;
            last = format!("{} {}", reply.status, reply.text());
            if reply.text().contains(expected) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        polled.is_ok(),
        "{host}{path} never answered {expected:?} within {DEADLINE:?}; last: {last}"
    );
}

/// Writes `text` to `dir/name` through a rename, as editors and `kubectl cp` do.
fn write(dir: &Path, name: &str, text: &str) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}
