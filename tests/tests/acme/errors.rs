//! Routers asking for what no resolver can give: the router's status and the log
//! say why, and the proxy keeps serving (them, with the default certificate, and
//! every other router).

use std::{path::Path, sync::Arc};

use portico_e2e::within;
use portico_test_support::proxy;

use crate::support::{
    BACKEND, HTTP_CHALLENGE, LIMIT, Stack, StackOptions, https_get, logs, resolver, routing,
    tls_router,
};

#[tokio::test]
async fn an_unknown_resolver_and_a_wildcard_without_dns01_are_reported_and_others_keep_serving() {
    within(LIMIT, "the resolver errors test", async {
        let logs = logs();
        let stack = Stack::start(StackOptions {
            resolvers: |pebble: &_, storage: &Path| resolver("le", pebble, storage, HTTP_CHALLENGE),
            routing: |url: &str| {
                let routers = [
                    tls_router("ok", "ok.errors.example.test", "{certResolver: le}"),
                    tls_router("ghost", "ghost.errors.example.test", "{certResolver: nope}"),
                    tls_router(
                        "wild",
                        "a.wild.errors.example.test",
                        "{certResolver: le, domains: [{main: '*.wild.errors.example.test'}]}",
                    ),
                ];
                routing(&routers.concat(), url)
            },
            validity_secs: None,
            allow_acme_bypass: false,
        })
        .await;
        // The valid router gets its certificate.
        stack.wait_for_certificate("ok.errors.example.test").await;
        let (_, answer) = stack.get("ok.errors.example.test").await.unwrap();
        assert_eq!(answer.backend.as_deref(), Some(BACKEND));

        let status = stack.proxy.status();
        let ghost = &status.routers["ghost@file"];
        assert!(ghost.enabled, "{ghost:?}");
        assert_eq!(
            ghost.errors,
            [
                "tls.certResolver: certificate resolver \"nope\" does not exist; no certificate is obtained for this router"
            ]
        );
        let wild = &status.routers["wild@file"];
        assert!(wild.enabled, "{wild:?}");
        assert_eq!(wild.errors.len(), 1, "{wild:?}");
        assert!(
            wild.errors[0].contains(
                "certificate resolver \"le\" cannot obtain a certificate for *.wild.errors.example.test: \
                 wildcard domain \"*.wild.errors.example.test\" needs the DNS-01 challenge (dnsChallenge)"
            ),
            "{wild:?}"
        );
        assert!(status.routers["ok@file"].errors.is_empty());
        // The same lines in the log, naming the router.
        assert!(!logs.lines_with(&["router ghost@file", "\"nope\" does not exist"]).is_empty());
        assert!(!logs.lines_with(&["router wild@file", "needs the DNS-01 challenge"]).is_empty());

        // Both routers still serve, with the default certificate.
        for host in ["ghost.errors.example.test", "a.wild.errors.example.test"] {
            let (_, answer) = https_get(stack.websecure(), host, accept_any())
                .await
                .unwrap();
            assert_eq!(answer.status, 200, "{host}");
            assert_eq!(answer.backend.as_deref(), Some(BACKEND), "{host}");
        }
        // Nothing was ordered for them.
        let stored = std::fs::read_to_string(&stack.storage).unwrap();
        assert!(!stored.contains("wild.errors"), "{stored}");
        assert!(!stored.contains("ghost.errors"), "{stored}");
    })
    .await;
}

#[tokio::test]
async fn a_resolver_named_without_any_configured_is_reported() {
    within(LIMIT, "the no-resolver test", async {
        let backend = portico_test_support::upstream::whoami(BACKEND).await;
        let proxy = proxy::builder()
            .install("entryPoints:\n  websecure:\n    address: \"127.0.0.1:0\"\n")
            .routing(
                "acme.yaml",
                &routing(
                    &tls_router("app", "app.none.example.test", "{certResolver: le}"),
                    &backend.url(),
                ),
            )
            .start()
            .await;
        let status = proxy.status();
        assert_eq!(
            status.routers["app@file"].errors,
            [
                "tls.certResolver: certificate resolver \"le\" does not exist; no certificate is obtained for this router"
            ]
        );
        let (_, answer) = https_get(proxy.addr("websecure"), "app.none.example.test", accept_any())
            .await
            .unwrap();
        assert_eq!(answer.backend.as_deref(), Some(BACKEND));
        proxy.shutdown().await;
    })
    .await;
}

/// A client that accepts any server certificate (these routers have no certificate
/// of their own: the default one answers).
fn accept_any() -> Arc<rustls::ClientConfig> {
    portico_test_support::tls::accept_any_config()
}
