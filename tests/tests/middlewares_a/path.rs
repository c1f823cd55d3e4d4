//! `addPrefix`, `stripPrefix`, `stripPrefixRegex`, `replacePath`,
//! `replacePathRegex`: what the backend sees, and paths that would leave the
//! rewritten scope (CVE-2025-32431 and Traefik v3.6.19's "400 if the stripped path
//! is not normalized").

use portico_test_support::upstream;

use super::{exchange, routing, seen, start};

#[tokio::test]
async fn add_prefix_prepends_and_keeps_the_query() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["add"],
            "add:\n  addPrefix:\n    prefix: /legacy",
            "",
        ),
    )
    .await;
    let s = seen(proxy.addr("web"), "/users?x=1", &[]).await;
    assert_eq!(s.target, "/legacy/users?x=1");
    let s = seen(proxy.addr("web"), "/a%2Fb", &[]).await;
    assert_eq!(s.target, "/legacy/a%2Fb");
}

#[tokio::test]
async fn strip_prefix_sets_x_forwarded_prefix() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["strip"],
            "strip:\n  stripPrefix:\n    prefixes: [/api/v1, /api]",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let s = seen(
        addr,
        "/api/v1/users?id=2",
        &[("X-Forwarded-Prefix", "/spoofed")],
    )
    .await;
    assert_eq!(s.target, "/users?id=2");
    assert_eq!(s.header_all("x-forwarded-prefix"), ["/api/v1"]);
    let s = seen(addr, "/api/orders", &[]).await;
    assert_eq!(
        (s.target.as_str(), s.header("x-forwarded-prefix")),
        ("/orders", Some("/api"))
    );
    let s = seen(addr, "/api", &[]).await;
    assert_eq!(s.target, "/");
    let s = seen(addr, "/apiary", &[]).await;
    assert_eq!(s.target, "/ary", "Traefik strips inside a segment too");
    let s = seen(addr, "/other", &[]).await;
    assert_eq!(
        (s.target.as_str(), s.header("x-forwarded-prefix")),
        ("/other", None)
    );
}

/// Routing with an open `/api` router (stripped) and a protected `/admin` router
/// (a `basicAuth` no request passes), both to `backend`.
fn escape_routing(backend: &str, strip: &str) -> String {
    routing(
        backend,
        "PathPrefix(`/api`)",
        &["strip"],
        &format!(
            "strip:\n{}\nlocked:\n  basicAuth:\n    users: [\"nobody:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\"]",
            super::indent(strip, 2).trim_end()
        ),
        "admin:\n  rule: PathPrefix(`/admin`)\n  service: backend\n  middlewares: [locked]",
    )
}

/// Requests trying to reach `/admin` through the `/api` router: none may reach the
/// backend; the ones the entrypoint normalizes end at the admin router (`401`).
async fn assert_no_escape(proxy: &portico_test_support::proxy::Proxy, what: &str) {
    let addr = proxy.addr("web");
    for target in [
        "/api%2F..%2Fadmin",
        "/api%2f..%2fadmin",
        "/api/..%2Fadmin",
        "/api..%2Fadmin",
        "/api%2e%2e/admin",
        "/api../admin",
        "/api./admin",
        "/api/%2e%2e/admin",
        "/api%5C..%5Cadmin",
    ] {
        let response = exchange(addr, "GET", target, &[]).await;
        assert!(
            matches!(response.status, 400 | 401 | 404),
            "{what} {target}: {} {}",
            response.status,
            response.text()
        );
    }
    // The entrypoint resolves `..` before routing: the admin router answers.
    let response = exchange(addr, "GET", "/api/../admin", &[]).await;
    assert_eq!(response.status, 401, "{what}: {}", response.text());
    // Ordinary requests still work.
    let ok = seen(addr, "/api/x/..y/z.txt", &[]).await;
    assert_eq!(ok.path(), "/x/..y/z.txt");
}

#[tokio::test]
async fn strip_prefix_never_lets_a_path_escape() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &escape_routing(&backend.url(), "stripPrefix:\n  prefixes: [/api]"),
    )
    .await;
    assert_no_escape(&proxy, "stripPrefix").await;
    // Traefik's table (v3.6.19 migration notes).
    let addr = proxy.addr("web");
    assert_eq!(seen(addr, "/api/foo", &[]).await.path(), "/foo");
    assert_eq!(seen(addr, "/api/", &[]).await.path(), "/");
    assert_eq!(exchange(addr, "GET", "/api./foo", &[]).await.status, 400);
    assert_eq!(exchange(addr, "GET", "/api../foo", &[]).await.status, 400);
}

#[tokio::test]
async fn strip_prefix_regex_never_lets_a_path_escape() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &escape_routing(&backend.url(), "stripPrefixRegex:\n  regex: [\"^/api\"]"),
    )
    .await;
    assert_no_escape(&proxy, "stripPrefixRegex").await;
}

#[tokio::test]
async fn without_path_sanitizing_dot_segments_are_refused_after_stripping() {
    let install = "entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n    http:\n      sanitizePath: false\n";
    let backend = upstream::whoami("b").await;
    let proxy = start(
        Some(install),
        &escape_routing(&backend.url(), "stripPrefix:\n  prefixes: [/api]"),
    )
    .await;
    let response = exchange(proxy.addr("web"), "GET", "/api/../admin", &[]).await;
    assert_eq!(response.status, 400, "{}", response.text());
}

#[tokio::test]
async fn strip_prefix_regex_strips_the_matched_prefix() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["tenant"],
            "tenant:\n  stripPrefixRegex:\n    regex: [\"/tenants/[a-z0-9]+\", \"/v[0-9]+\"]",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let s = seen(addr, "/tenants/acme/orders?x=1", &[]).await;
    assert_eq!(
        (s.target.as_str(), s.header("x-forwarded-prefix")),
        ("/orders?x=1", Some("/tenants/acme"))
    );
    let s = seen(addr, "/v2/items", &[]).await;
    assert_eq!(
        (s.target.as_str(), s.header("x-forwarded-prefix")),
        ("/items", Some("/v2"))
    );
    // A match that is not a prefix strips nothing.
    let s = seen(addr, "/shop/v2/items", &[]).await;
    assert_eq!(
        (s.target.as_str(), s.header("x-forwarded-prefix")),
        ("/shop/v2/items", None)
    );
}

#[tokio::test]
async fn replace_path_records_the_old_path() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["replace"],
            "replace:\n  replacePath:\n    path: /replaced/path",
            "",
        ),
    )
    .await;
    let s = seen(proxy.addr("web"), "/anything/a%2Fb?q=1", &[]).await;
    assert_eq!(s.target, "/replaced/path?q=1");
    assert_eq!(s.header("x-replaced-path"), Some("/anything/a%2Fb"));
}

#[tokio::test]
async fn replace_path_regex_rewrites_and_stays_in_scope() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["rewrite"],
            "rewrite:\n  replacePathRegex:\n    regex: \"^/v2/(.*)\"\n    replacement: \"/internal/$1\"",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let s = seen(addr, "/v2/users/7?full=1", &[]).await;
    assert_eq!(s.target, "/internal/users/7?full=1");
    assert_eq!(s.header("x-replaced-path"), Some("/v2/users/7"));
    let s = seen(addr, "/v1/users", &[]).await;
    assert_eq!(
        (s.target.as_str(), s.header("x-replaced-path")),
        ("/v1/users", None)
    );
    for target in [
        "/v2/..%2F..%2Fsecret",
        "/v2/%2e%2e%2Fsecret",
        "/v2/a%2F..%2F..%2Fsecret",
    ] {
        let response = exchange(addr, "GET", target, &[]).await;
        assert_eq!(response.status, 400, "{target}: {}", response.text());
    }
}

#[tokio::test]
async fn strip_then_add_in_a_chain() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/public`)",
            &["both"],
            "both:\n  chain:\n    middlewares: [strip, add]\nstrip:\n  stripPrefix:\n    prefixes: [/public]\nadd:\n  addPrefix:\n    prefix: /static",
            "",
        ),
    )
    .await;
    let s = seen(proxy.addr("web"), "/public/css/site.css", &[]).await;
    assert_eq!(s.target, "/static/css/site.css");
    assert_eq!(s.header("x-forwarded-prefix"), Some("/public"));
}
