//! A certificate obtained through each challenge, served on the next handshakes and
//! answering requests through the router.

use std::{os::unix::fs::PermissionsExt, path::Path, process::Command, time::Instant};

use portico_e2e::within;
use portico_test_support::client;

use crate::support::{
    BACKEND, HTTP_CHALLENGE, LIMIT, Stack, StackOptions, logs, resolver, routing, tls_router,
};

/// A router on `web` catching every request, at a very high priority: the HTTP-01
/// responder must still answer ahead of it.
const CATCH_ALL_ON_WEB: &str = "    catchall:\n      rule: \"PathPrefix(`/`)\"\n      priority: 1000000\n      entryPoints: [web]\n      service: backend\n";

#[tokio::test]
async fn http01_certificate_is_obtained_served_and_routed() {
    within(LIMIT, "the HTTP-01 test", async {
        let _logs = logs();
        let started = Instant::now();
        let stack = Stack::start(StackOptions {
            resolvers: |pebble: &_, storage: &Path| resolver("le", pebble, storage, HTTP_CHALLENGE),
            routing: |url: &str| {
                let routers = tls_router("app", "app.http.example.test", "{certResolver: le}");
                routing(&format!("{routers}{CATCH_ALL_ON_WEB}"), url)
            },
            validity_secs: None,
            allow_acme_bypass: false,
        })
        .await;
        let serial = stack.wait_for_certificate("app.http.example.test").await;
        let took = started.elapsed();

        // Through the router, over the obtained certificate.
        let (served, answer) = stack.get("app.http.example.test").await.unwrap();
        assert_eq!(served, serial);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.backend.as_deref(), Some(BACKEND));

        // The catch-all router does serve `web`, yet pebble's validation got the
        // key authorization: the challenge path is answered ahead of every router
        // (an unknown token gets the responder's 404, not the backend).
        let plain = client::get(stack.web(), "app.http.example.test", "/anything").await;
        assert_eq!(plain.header("x-whoami-name"), Some(BACKEND));
        let unknown = client::get(
            stack.web(),
            "app.http.example.test",
            "/.well-known/acme-challenge/no-such-token",
        )
        .await;
        assert_eq!(unknown.status, 404);
        assert_eq!(unknown.header("x-whoami-name"), None);

        // Stored in acme.json, private.
        let stored = std::fs::read_to_string(&stack.storage).unwrap();
        assert!(stored.contains("app.http.example.test"), "{stored}");
        let mode = std::fs::metadata(&stack.storage)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        println!("HTTP-01: certificate {serial} served {took:?} after start");
    })
    .await;
}

/// With `allowACMEByPass`, a router matching the challenge path answers it; the
/// responder still answers what no router matches, so HTTP-01 keeps working.
#[tokio::test]
async fn allow_acme_bypass_lets_routers_answer_challenge_paths_first() {
    within(LIMIT, "the allowACMEByPass test", async {
        let _logs = logs();
        let stack = Stack::start(StackOptions {
            resolvers: |pebble: &_, storage: &Path| resolver("le", pebble, storage, HTTP_CHALLENGE),
            routing: |url: &str| {
                let routers = tls_router("app", "app.bypass.example.test", "{certResolver: le}");
                let user = "    wellknown:\n      rule: \"Host(`user.example.test`) && PathPrefix(`/.well-known/acme-challenge/`)\"\n      entryPoints: [web]\n      service: backend\n";
                routing(&format!("{routers}{user}"), url)
            },
            validity_secs: None,
            allow_acme_bypass: true,
        })
        .await;
        // No router matches app.bypass.example.test on `web`: the responder answers
        // pebble's validation and the certificate is obtained.
        let serial = stack.wait_for_certificate("app.bypass.example.test").await;
        let (served, answer) = stack.get("app.bypass.example.test").await.unwrap();
        assert_eq!((served, answer.status), (serial, 200));
        // A router matching the challenge path goes first.
        let user = client::get(
            stack.web(),
            "user.example.test",
            "/.well-known/acme-challenge/some-token",
        )
        .await;
        assert_eq!(user.status, 200);
        assert_eq!(user.header("x-whoami-name"), Some(BACKEND));
        // Without a matching router, an unknown token gets the responder's 404.
        let unknown = client::get(
            stack.web(),
            "app.bypass.example.test",
            "/.well-known/acme-challenge/no-such-token",
        )
        .await;
        assert_eq!(unknown.status, 404);
        assert_eq!(unknown.header("x-whoami-name"), None);
    })
    .await;
}

#[tokio::test]
async fn tls_alpn01_certificate_is_obtained_served_and_routed() {
    within(LIMIT, "the TLS-ALPN-01 test", async {
        let _logs = logs();
        let started = Instant::now();
        let stack = Stack::start(StackOptions {
            resolvers: |pebble: &_, storage: &Path| {
                resolver("tls", pebble, storage, "      tlsChallenge: {}\n")
            },
            routing: |url: &str| {
                routing(
                    &tls_router("app", "app.alpn.example.test", "{certResolver: tls}"),
                    url,
                )
            },
            validity_secs: None,
            allow_acme_bypass: false,
        })
        .await;
        let serial = stack.wait_for_certificate("app.alpn.example.test").await;
        let took = started.elapsed();

        let (served, answer) = stack.get("app.alpn.example.test").await.unwrap();
        assert_eq!(served, serial);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.backend.as_deref(), Some(BACKEND));
        let stored = std::fs::read_to_string(&stack.storage).unwrap();
        assert!(stored.contains("app.alpn.example.test"), "{stored}");
        println!("TLS-ALPN-01: certificate {serial} served {took:?} after start");
    })
    .await;
}

/// Marks the process that runs the DNS-01 test for real (see below).
const DNS01_CHILD: &str = "PORTICO_E2E_ACME_DNS01_CHILD";

/// The DNS-01 test's name inside this test binary.
const DNS01_TEST: &str = "challenges::dns01_exec_provider_obtains_a_wildcard_certificate";

/// DNS providers read their settings from the process environment (`EXEC_PATH`,
/// lego's convention). This crate forbids `unsafe` (so no `std::env::set_var`), and
/// the process environment is shared by every test of a `cargo test` process
/// anyway; so this test runs itself again as a child process whose environment
/// holds `EXEC_PATH`, and the child does the work.
#[test]
fn dns01_exec_provider_obtains_a_wildcard_certificate() {
    if std::env::var_os(DNS01_CHILD).is_some() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(within(LIMIT, "the DNS-01 test", dns01_wildcard()));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hook = dir.path().join("dns-hook.sh");
    let output = Command::new(std::env::current_exe().unwrap())
        .args([DNS01_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env("EXEC_PATH", &hook)
        .env(DNS01_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(output.status.success(), "the DNS-01 child failed");
    assert!(stdout.contains("1 passed"), "the child ran no test");
}

/// Runs in the child: `EXEC_PATH` names a script (written here, once pebble's
/// management port is known) that publishes the TXT records through
/// challtestsrv's management API, as lego's exec convention says.
async fn dns01_wildcard() {
    let _logs = logs();
    let hook = std::path::PathBuf::from(std::env::var_os("EXEC_PATH").unwrap());
    let calls = hook.with_file_name("dns-hook.log");
    let started = Instant::now();
    let stack = Stack::start(StackOptions {
        resolvers: |pebble: &portico_test_support::pebble::Pebble, storage: &Path| {
            write_hook(&hook, &calls, &pebble.challtestsrv_url);
            let challenge = format!(
                "      dnsChallenge:\n        provider: exec\n        resolvers: [\"{}\"]\n",
                pebble.dns
            );
            resolver("dns", pebble, storage, &challenge)
        },
        routing: |url: &str| {
            let tls = "{certResolver: dns, domains: [{main: '*.dns.example.test', sans: [dns.example.test]}]}";
            routing(&tls_router("app", "app.dns.example.test", tls), url)
        },
        validity_secs: None,
        allow_acme_bypass: false,
    })
    .await;
    let serial = stack.wait_for_certificate("app.dns.example.test").await;
    let took = started.elapsed();

    let (served, answer) = stack.get("app.dns.example.test").await.unwrap();
    assert_eq!(served, serial);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.backend.as_deref(), Some(BACKEND));
    // One certificate from `tls.domains` (not from the rule): the wildcard covers
    // any one label, the SAN the bare domain.
    for other in ["other.dns.example.test", "dns.example.test"] {
        assert_eq!(stack.wait_for_certificate(other).await, serial, "{other}");
    }
    let stored = std::fs::read_to_string(&stack.storage).unwrap();
    assert!(stored.contains("*.dns.example.test"), "{stored}");

    // lego's exec convention: `present` then `cleanup`, once per name.
    let calls = std::fs::read_to_string(&calls).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| **l == "present _acme-challenge.dns.example.test.")
            .count(),
        2,
        "{calls}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("cleanup ")).count(),
        2,
        "{calls}"
    );
    println!("DNS-01: wildcard certificate {serial} served {took:?} after start");
}

/// lego's exec provider: `hook present|cleanup <fqdn> <value>`; records each call
/// in `calls` and drives challtestsrv's `/set-txt` and `/clear-txt` with curl.
fn write_hook(hook: &Path, calls: &Path, challtestsrv: &str) {
    let script = format!(
        "#!/bin/sh\nset -e\necho \"$1 $2\" >> {calls}\n\
         case \"$1\" in\n\
         present) curl -sf -X POST -d \"{{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}}\" {challtestsrv}/set-txt ;;\n\
         cleanup) curl -sf -X POST -d \"{{\\\"host\\\":\\\"$2\\\"}}\" {challtestsrv}/clear-txt ;;\n\
         esac\n",
        calls = calls.display(),
    );
    std::fs::write(hook, script).unwrap();
    std::fs::set_permissions(hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}
