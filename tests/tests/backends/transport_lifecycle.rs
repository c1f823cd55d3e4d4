//! Transports across configuration changes: invalid and unknown transports
//! disable what uses them (with the reason), a changed transport applies on
//! reload, and an unchanged one keeps its connection pool.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use portico_e2e::{EXCHANGE_LIMIT, within};
use portico_test_support::{
    https::{self, ServerTls},
    proxy::{self, Proxy},
    tls::Ca,
    upstream,
};

use super::{assert_enabled, get, indent, support::Files};

/// Router `r` (`PathPrefix(`/`)`) to `backend`, a load balancer over `url` naming
/// `serversTransport: <reference>`; transport `tr` defined by `transport`; and
/// router `ok` (`PathPrefix(`/ok`)`) to a plain `whoami` service over
/// `ok_url`.
fn routing(url: &str, reference: &str, transport: &str, ok_url: &str) -> String {
    format!(
        "http:\n  routers:\n    r:\n      rule: PathPrefix(`/`)\n      service: backend\n    ok:\n      rule: PathPrefix(`/ok`)\n      service: whoami\n  services:\n    backend:\n      loadBalancer:\n        serversTransport: {reference}\n        servers:\n          - url: \"{url}\"\n    whoami:\n      loadBalancer:\n        servers:\n          - url: \"{ok_url}\"\n  serversTransports:\n    tr:\n{}",
        indent(transport, 6)
    )
}

async fn start(routing: &str) -> Proxy {
    proxy::builder()
        .routing("routing.yaml", routing)
        .start()
        .await
}

/// The router and service errors of `proxy`, one line each.
fn problems(proxy: &Proxy) -> String {
    proxy.status().problems().join("\n")
}

#[tokio::test]
async fn unreadable_root_ca_disables_the_services_and_routers_using_the_transport() {
    let ca = Ca::new("backend CA");
    let files = Files::new();
    let missing = files.missing("ca.pem");
    let backend = https::start("b1", &ca.leaf(&["127.0.0.1"]), ServerTls::default()).await;
    let whoami = upstream::whoami("ok").await;
    let config = routing(
        &backend.url(),
        "tr",
        &format!("rootCAs: [{missing}]\n"),
        &whoami.url(),
    );
    let proxy = start(&config).await;

    let status = proxy.status();
    let service = &status.services["backend@file"];
    assert!(!service.enabled, "{config}");
    let reason = service.errors.join("; ");
    for part in ["serversTransport", "tr@file", "rootCAs[0]", &missing] {
        assert!(reason.contains(part), "{part:?} missing from {reason:?}");
    }
    let router = &status.routers["r@file"];
    assert!(!router.enabled);
    assert!(
        router.errors.join("; ").contains("rootCAs[0]"),
        "{:?}",
        router.errors
    );
    assert!(status.routers["ok@file"].enabled, "{}", problems(&proxy));

    let addr = proxy.addr("web");
    assert_eq!(get(addr, "/").await.status, 404);
    assert_eq!(get(addr, "/ok").await.status, 200);
    assert!(backend.handshakes().is_empty());

    // Once the file exists, the same configuration is applied.
    files.write("ca.pem", &ca.pem());
    proxy.reload_routing().await;
    assert_enabled(&proxy, &config);
    let reply = get(addr, "/").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-backend"), Some("b1"));
}

#[tokio::test]
async fn unknown_servers_transport_is_refused_with_its_name() {
    let whoami = upstream::whoami("ok").await;
    let config = routing(&whoami.url(), "nope", "{}\n", &whoami.url());
    let proxy = start(&config).await;

    let status = proxy.status();
    let service = &status.services["backend@file"];
    assert!(!service.enabled, "{config}");
    let reason = service.errors.join("; ");
    assert!(
        reason.contains("serversTransport") && reason.contains("nope@file"),
        "{reason:?}"
    );
    let router = &status.routers["r@file"];
    assert!(!router.enabled);
    assert!(router.errors.join("; ").contains("nope@file"));
    assert!(status.routers["ok@file"].enabled, "{}", problems(&proxy));

    let addr = proxy.addr("web");
    assert_eq!(get(addr, "/").await.status, 404);
    assert_eq!(get(addr, "/ok").await.status, 200);
}

#[tokio::test]
async fn changed_root_ca_applies_on_reload() {
    let old_ca = Ca::new("old CA");
    let new_ca = Ca::new("new CA");
    let files = Files::new();
    let old_file = files.write("old-ca.pem", &old_ca.pem());
    let new_file = files.write("new-ca.pem", &new_ca.pem());
    let backend = https::start("b1", &new_ca.leaf(&["127.0.0.1"]), ServerTls::default()).await;
    let whoami = upstream::whoami("ok").await;
    let config = |ca_file: &str| {
        routing(
            &backend.url(),
            "tr",
            &format!("rootCAs: [{ca_file}]\n"),
            &whoami.url(),
        )
    };
    let proxy = start(&config(&old_file)).await;
    let addr = proxy.addr("web");
    assert_eq!(get(addr, "/").await.status, 502);

    proxy.write_routing("routing.yaml", &config(&new_file));
    proxy.reload_routing().await;
    assert_enabled(&proxy, &config(&new_file));
    let reply = get(addr, "/").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-backend"), Some("b1"));
}

#[tokio::test]
async fn unchanged_transport_keeps_its_connections_across_reloads() {
    let ca = Ca::new("backend CA");
    let files = Files::new();
    let ca_file = files.write("ca.pem", &ca.pem());
    let backend = https::start("b1", &ca.leaf(&["127.0.0.1"]), ServerTls::default()).await;
    let whoami = upstream::whoami("ok").await;
    let transport = format!("rootCAs: [{ca_file}]\n");
    let proxy = start(&routing(&backend.url(), "tr", &transport, &whoami.url())).await;
    let addr = proxy.addr("web");
    let burst = |label: &'static str| async move {
        for _ in 0..5 {
            let reply = get(addr, "/").await;
            assert_eq!(reply.status, 200, "{label}: {}", reply.text());
        }
    };
    burst("first").await;
    assert_eq!(backend.handshakes().len(), 1, "one pooled connection");

    // The service using the transport changes (and a router is added); the
    // transport does not. (Not `passHostHeader`: over h2 the host is the
    // `:authority`, and connections are pooled per server and host.)
    let changed = routing(&backend.url(), "tr", &transport, &whoami.url())
        .replace(
            "        serversTransport: tr\n",
            "        serversTransport: tr\n        responseForwarding:\n          flushInterval: 50ms\n",
        )
        .replace(
            "  services:\n",
            "    extra:\n      rule: PathPrefix(`/extra`)\n      service: whoami\n  services:\n",
        );
    // Requests keep flowing, one after the other, while the reload happens.
    let stop = Arc::new(AtomicBool::new(false));
    let flowing = tokio::spawn({
        let stop = stop.clone();
        async move {
            let mut statuses = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                statuses.push(get(addr, "/").await.status);
            }
            statuses
        }
    });
    within(EXCHANGE_LIMIT, "flowing requests", backend.wait_requests(7)).await;
    proxy.write_routing("routing.yaml", &changed);
    proxy.reload_routing().await;
    assert_enabled(&proxy, &changed);
    assert_eq!(proxy.status().routers.len(), 3, "the reload was applied");
    let after_reload = backend.requests().len();
    within(
        EXCHANGE_LIMIT,
        "requests after the reload",
        backend.wait_requests(after_reload + 3),
    )
    .await;
    stop.store(true, Ordering::SeqCst);
    let statuses = flowing.await.expect("request loop");
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    burst("after the reload").await;
    assert_eq!(
        backend.handshakes().len(),
        1,
        "the transport's pool survived the reload"
    );
    let requests = backend.requests();
    assert_eq!(requests.len(), 10 + statuses.len());
    assert!(requests.iter().all(|r| r.handshake == 0));

    // A changed transport is a new pool.
    let retuned = changed.replace(
        &format!("      rootCAs: [{ca_file}]\n"),
        &format!("      rootCAs: [{ca_file}]\n      maxIdleConnsPerHost: 10\n"),
    );
    assert_ne!(retuned, changed);
    proxy.write_routing("routing.yaml", &retuned);
    proxy.reload_routing().await;
    assert_enabled(&proxy, &retuned);
    burst("after the transport changed").await;
    assert_eq!(
        backend.handshakes().len(),
        2,
        "a new transport connects anew"
    );
}
