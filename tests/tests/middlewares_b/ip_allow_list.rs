//! `ipAllowList` and the client-IP strategy, spoofing cases included.

use portico_test_support::upstream;

use super::{TRUSTING, get, routing, start};

fn allow(source_range: &str, strategy: &str) -> String {
    format!("allow:\n  ipAllowList:\n    sourceRange: [{source_range}]\n{strategy}")
}

#[tokio::test]
async fn peer_inside_passes_outside_gets_403() {
    let backend = upstream::whoami("b").await;
    let inside = start(
        None,
        &routing(&backend.url(), &["allow"], &allow("127.0.0.0/8", ""), ""),
    )
    .await;
    let reply = get(inside.addr("web"), "/", &[]).await;
    assert_eq!(reply.status, 200);
    let outside = start(
        None,
        &routing(
            &backend.url(),
            &["allow"],
            &allow("10.0.0.0/8, 2001:db8::/32", ""),
            "",
        ),
    )
    .await;
    let reply = get(outside.addr("web"), "/", &[]).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.text(), "Forbidden");
    // A client claiming to be inside through X-Forwarded-For is still the peer.
    let reply = get(outside.addr("web"), "/", &[("x-forwarded-for", "10.0.0.1")]).await;
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn spoofed_xff_from_an_untrusted_peer_is_ignored() {
    let backend = upstream::whoami("b").await;
    let config = routing(
        &backend.url(),
        &["allow"],
        &allow("203.0.113.0/24", "    ipStrategy:\n      depth: 1\n"),
        "",
    );
    // Untrusted peer: the entrypoint drops its X-Forwarded-For, so depth 1 finds
    // no IP and the request is refused.
    let untrusted = start(None, &config).await;
    let reply = get(
        untrusted.addr("web"),
        "/",
        &[("x-forwarded-for", "203.0.113.5")],
    )
    .await;
    assert_eq!(reply.status, 403);
    // The same header from a trusted load balancer names the client.
    let trusted = start(Some(TRUSTING), &config).await;
    let reply = get(
        trusted.addr("web"),
        "/",
        &[("x-forwarded-for", "203.0.113.5")],
    )
    .await;
    assert_eq!(reply.status, 200);
    let reply = get(
        trusted.addr("web"),
        "/",
        &[("x-forwarded-for", "198.51.100.1")],
    )
    .await;
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn depth_beyond_the_list_and_excluded_ips() {
    let backend = upstream::whoami("b").await;
    let deep = start(
        Some(TRUSTING),
        &routing(
            &backend.url(),
            &["allow"],
            &allow("0.0.0.0/0", "    ipStrategy:\n      depth: 3\n"),
            "",
        ),
    )
    .await;
    let reply = get(
        deep.addr("web"),
        "/",
        &[("x-forwarded-for", "203.0.113.5, 10.0.0.1")],
    )
    .await;
    assert_eq!(reply.status, 403, "no third entry: no IP, never the peer");
    let reply = get(
        deep.addr("web"),
        "/",
        &[("x-forwarded-for", "203.0.113.5, 10.0.0.2, 10.0.0.1")],
    )
    .await;
    assert_eq!(reply.status, 200);

    let excluding = start(
        Some(TRUSTING),
        &routing(
            &backend.url(),
            &["allow"],
            &allow(
                "203.0.113.0/24",
                "    ipStrategy:\n      excludedIPs: [10.0.0.0/8]\n    rejectStatusCode: 404\n",
            ),
            "",
        ),
    )
    .await;
    let reply = get(
        excluding.addr("web"),
        "/",
        &[("x-forwarded-for", "203.0.113.5, 10.1.1.1, 10.0.0.1")],
    )
    .await;
    assert_eq!(reply.status, 200);
    let reply = get(
        excluding.addr("web"),
        "/",
        &[("x-forwarded-for", "198.51.100.7, 10.0.0.1")],
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), "Not Found");
    let reply = get(
        excluding.addr("web"),
        "/",
        &[("x-forwarded-for", "10.0.0.1")],
    )
    .await;
    assert_eq!(reply.status, 404, "every entry excluded: no IP");
}

#[tokio::test]
async fn ipv6_clients_match_by_subnet() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        Some(TRUSTING),
        &routing(
            &backend.url(),
            &["allow"],
            &allow(
                "\"2001:db8:1::/64\"",
                "    ipStrategy:\n      depth: 1\n      ipv6Subnet: 48\n",
            ),
            "",
        ),
    )
    .await;
    // 2001:db8:1:ffff::7 grouped by /48 is 2001:db8:1::, inside the /64.
    let reply = get(
        proxy.addr("web"),
        "/",
        &[("x-forwarded-for", "2001:db8:1:ffff::7")],
    )
    .await;
    assert_eq!(reply.status, 200);
    let reply = get(
        proxy.addr("web"),
        "/",
        &[("x-forwarded-for", "2001:db8:2::7")],
    )
    .await;
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn invalid_allow_list_disables_the_router() {
    let backend = upstream::whoami("b").await;
    let proxy = portico_test_support::proxy::builder()
        .routing(
            "r.yaml",
            &routing(&backend.url(), &["allow"], &allow("not-an-ip", ""), ""),
        )
        .start()
        .await;
    let status = proxy.status();
    assert!(!status.routers["r@file"].enabled);
    let errors = &status.middlewares["allow@file"].errors;
    assert!(
        errors
            .iter()
            .any(|e| e.contains("invalid IP or CIDR \"not-an-ip\"")),
        "{errors:?}"
    );
}
