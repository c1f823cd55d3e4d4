//! `redirectScheme` and `redirectRegex`: statuses by method and permanence,
//! `Location`, ports, and requests that already match going through.

use portico_test_support::upstream;

use super::{TRUSTING, exchange, routing, seen, start};

#[tokio::test]
async fn redirect_scheme_sends_plain_http_to_https() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        Some(TRUSTING),
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["https"],
            "https:\n  redirectScheme:\n    scheme: https",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let response = exchange(addr, "GET", "/a/b?c=d", &[("Host", "www.example.com")]).await;
    assert_eq!(response.status, 302);
    assert_eq!(
        response.header("location"),
        Some("https://www.example.com/a/b?c=d")
    );
    assert_eq!(response.text(), "Found");
    let response = exchange(
        addr,
        "POST",
        "/form",
        &[("Host", "www.example.com:8080"), ("Content-Length", "0")],
    )
    .await;
    assert_eq!(response.status, 307);
    assert_eq!(
        response.header("location"),
        Some("https://www.example.com/form")
    );
    // Behind a TLS-terminating balancer (trusted X-Forwarded-Proto): served.
    let s = seen(
        addr,
        "/a",
        &[("Host", "www.example.com"), ("X-Forwarded-Proto", "https")],
    )
    .await;
    assert_eq!(s.target, "/a");
}

#[tokio::test]
async fn redirect_scheme_with_port_and_permanent() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        Some(TRUSTING),
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["https"],
            "https:\n  redirectScheme:\n    scheme: https\n    port: \"8443\"\n    permanent: true",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let response = exchange(addr, "GET", "/", &[("Host", "example.com")]).await;
    assert_eq!(response.status, 301);
    assert_eq!(
        response.header("location"),
        Some("https://example.com:8443/")
    );
    let response = exchange(addr, "DELETE", "/x", &[("Host", "example.com")]).await;
    assert_eq!(response.status, 308);
    // Already on https:8443: through.
    let s = seen(
        addr,
        "/x",
        &[("Host", "example.com:8443"), ("X-Forwarded-Proto", "https")],
    )
    .await;
    assert_eq!(s.target, "/x");
    // On https but another port: redirected to the configured one.
    let response = exchange(
        addr,
        "GET",
        "/x",
        &[("Host", "example.com"), ("X-Forwarded-Proto", "https")],
    )
    .await;
    assert_eq!(
        response.header("location"),
        Some("https://example.com:8443/x")
    );
}

#[tokio::test]
async fn redirect_scheme_to_http_drops_the_default_port() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        Some(TRUSTING),
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["plain"],
            "plain:\n  redirectScheme:\n    scheme: http\n    port: \"80\"",
            "",
        ),
    )
    .await;
    let response = exchange(
        proxy.addr("web"),
        "GET",
        "/p",
        &[("Host", "example.com:443"), ("X-Forwarded-Proto", "https")],
    )
    .await;
    assert_eq!(response.status, 302);
    assert_eq!(response.header("location"), Some("http://example.com/p"));
}

#[tokio::test]
async fn redirect_regex_rewrites_the_url() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["moved"],
            "moved:\n  redirectRegex:\n    regex: \"^http://old\\\\.example\\\\.com/(.*)\"\n    replacement: \"https://new.example.com/${1}\"",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let response = exchange(
        addr,
        "GET",
        "/docs/page?v=2",
        &[("Host", "old.example.com")],
    )
    .await;
    assert_eq!(response.status, 302);
    assert_eq!(
        response.header("location"),
        Some("https://new.example.com/docs/page?v=2")
    );
    let response = exchange(
        addr,
        "PUT",
        "/x",
        &[("Host", "old.example.com"), ("Content-Length", "0")],
    )
    .await;
    assert_eq!(response.status, 307);
    // No match: served.
    let s = seen(addr, "/docs", &[("Host", "other.example.com")]).await;
    assert_eq!(s.target, "/docs");
}

#[tokio::test]
async fn redirect_regex_permanent_and_unchanged_urls() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["slash", "same"],
            "slash:\n  redirectRegex:\n    regex: \"^(http://[^/]+/[a-z]+)$\"\n    replacement: \"${1}/\"\n    permanent: true\nsame:\n  redirectRegex:\n    regex: \"^(.*)$\"\n    replacement: \"$1\"",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let response = exchange(addr, "GET", "/docs", &[]).await;
    assert_eq!(response.status, 301);
    assert_eq!(
        response.header("location"),
        Some("http://example.com/docs/")
    );
    assert_eq!(response.text(), "Moved Permanently");
    // The rewritten URL equals the original: the request goes on.
    let s = seen(addr, "/docs/", &[]).await;
    assert_eq!(s.target, "/docs/");
}
