//! What happens after the first certificate: a restart reuses `acme.json`, and a
//! certificate that is due gets renewed while requests keep flowing.

use std::{path::Path, time::Duration};

use portico_e2e::within;

use crate::support::{
    HTTP_CHALLENGE, LIMIT, Stack, StackOptions, logs, resolver, routing, tls_router,
    traffic_until_renewed,
};

/// pebble's certificates live 10 minutes; with `certificatesDuration: 1` (hour)
/// Traefik's table says renew when less than 20 minutes are left: due as soon as
/// issued, checked every minute.
const SHORT_VALIDITY: u64 = 600;

/// A stack with resolver `le` (HTTP-01, `extra` YAML lines) and a router for `host`.
async fn http_stack(host: &'static str, extra: &'static str, validity: Option<u64>) -> Stack {
    Stack::start(StackOptions {
        resolvers: move |pebble: &_, storage: &Path| {
            resolver("le", pebble, storage, &format!("{HTTP_CHALLENGE}{extra}"))
        },
        routing: move |url: &str| routing(&tls_router("app", host, "{certResolver: le}"), url),
        validity_secs: validity,
        allow_acme_bypass: false,
    })
    .await
}

#[tokio::test]
async fn a_restart_serves_the_stored_certificate_and_orders_nothing() {
    within(LIMIT, "the restart test", async {
        const HOST: &str = "app.restart.example.test";
        let logs = logs();
        let stack = http_stack(HOST, "", None).await;
        let serial = stack.wait_for_certificate(HOST).await;
        let stored = std::fs::read(&stack.storage).unwrap();
        let checked = ["no ACME certificate generation required", HOST];
        let before = logs.lines_with(&checked).len();

        let stack = stack.restart().await;
        // The very first handshake of the new proxy serves the stored certificate.
        let (served, answer) = stack
            .get(HOST)
            .await
            .expect("first request after the restart");
        assert_eq!(served, serial);
        assert_eq!(answer.status, 200);
        // The new proxy looked at what its router wants and found it stored...
        logs.wait_for_count(&checked, before + 1).await;
        // ...so nothing was ordered, and acme.json was not even rewritten.
        assert_eq!(
            logs.lines_with(&["certificate obtained; serving it", HOST])
                .len(),
            1,
            "{}",
            logs.text()
        );
        assert_eq!(std::fs::read(&stack.storage).unwrap(), stored);
    })
    .await;
}

/// Traefik checks renewals when it starts: a proxy restarted on an `acme.json`
/// whose certificate is due renews it at once, serving the old one meanwhile.
#[tokio::test]
async fn a_due_certificate_is_renewed_at_start_under_live_traffic() {
    within(LIMIT, "the renewal-at-start test", async {
        const HOST: &str = "app.renew-start.example.test";
        let _logs = logs();
        let stack = http_stack(
            HOST,
            "      certificatesDuration: 1\n",
            Some(SHORT_VALIDITY),
        )
        .await;
        let old = stack.wait_for_certificate(HOST).await;
        // The first proxy would renew at its next check, a minute later; the
        // restart makes the new one check now.
        let stack = stack.restart().await;
        let traffic = traffic_until_renewed(&stack, HOST, &old, Duration::from_secs(30)).await;
        println!("renewal at start: {traffic:?}");
        assert!(traffic.failures.is_empty(), "{traffic:?}");
        assert!(traffic.until_renewed.is_some(), "not renewed: {traffic:?}");
        assert_eq!(traffic.serials.len(), 2, "{traffic:?}");
        // The order takes several round trips to pebble (and 250 ms polls), the
        // first request is sent as soon as the proxy is up: the old certificate
        // serves until the new one is in place.
        assert_eq!(traffic.serials[0].0, old, "{traffic:?}");
        let renewed = &traffic.serials[1].0;
        assert_eq!(stack.wait_for_certificate(HOST).await, *renewed);
    })
    .await;
}

/// The renewal check of a running proxy: a minute after the certificate is
/// obtained (Traefik's shortest check interval), under live traffic.
#[tokio::test]
async fn a_due_certificate_is_renewed_by_the_periodic_check_under_live_traffic() {
    within(LIMIT, "the periodic renewal test", async {
        const HOST: &str = "app.renew-check.example.test";
        let _logs = logs();
        let stack = http_stack(
            HOST,
            "      certificatesDuration: 1\n",
            Some(SHORT_VALIDITY),
        )
        .await;
        let old = stack.wait_for_certificate(HOST).await;
        let traffic = traffic_until_renewed(&stack, HOST, &old, Duration::from_secs(100)).await;
        println!("periodic renewal: {traffic:?}");
        assert!(traffic.failures.is_empty(), "{traffic:?}");
        let after = traffic.until_renewed.expect("renewed within 100 s");
        // Not before the check interval: renewal is not a tight loop.
        assert!(after >= Duration::from_secs(50), "{after:?}");
        assert_eq!(traffic.serials.len(), 2, "{traffic:?}");
        assert_eq!(traffic.serials[0].0, old);
        assert!(traffic.ok > 100, "{traffic:?}");
    })
    .await;
}
