//! Configuration errors: a bad regexp, an unreadable or empty `usersFile`, empty
//! users, unreadable TLS files. Each disables only the routers using the
//! middleware, with the router, the middleware and the reason in the status.

use portico_test_support::{proxy, upstream};

use super::{exchange, routing};

/// Starts Portico with router `r` (using `bad`) and router `ok` (no middleware);
/// checks `r` is disabled naming `bad`, whose own errors contain `reason`, and
/// that `ok` still serves.
async fn check(bad: &str, reason: &str) {
    let backend = upstream::whoami("b").await;
    let text = routing(
        &backend.url(),
        "PathPrefix(`/r`)",
        &["bad"],
        bad,
        "ok:\n  rule: PathPrefix(`/ok`)\n  service: backend",
    );
    let proxy = proxy::builder()
        .routing("routing.yaml", &text)
        .start()
        .await;
    let status = proxy.status();
    let router = &status.routers["r@file"];
    assert!(!router.enabled, "{bad}");
    assert!(
        router.errors.iter().any(|e| e.contains("bad@file")),
        "the router's error names the middleware: {:?}",
        router.errors
    );
    let middleware = &status.middlewares["bad@file"];
    assert!(!middleware.enabled);
    assert!(
        middleware.errors.iter().any(|e| e.contains(reason)),
        "{reason:?} not in {:?}",
        middleware.errors
    );
    assert!(status.routers["ok@file"].enabled);
    let addr = proxy.addr("web");
    assert_eq!(exchange(addr, "GET", "/r", &[]).await.status, 404);
    assert_eq!(exchange(addr, "GET", "/ok", &[]).await.status, 200);
}

#[tokio::test]
async fn bad_regexps_disable_their_routers() {
    for (bad, reason) in [
        (
            "bad:\n  stripPrefixRegex:\n    regex: [\"/a/(\"]",
            "http.middlewares.bad.stripPrefixRegex.regex[0]: invalid regular expression \"/a/(\"",
        ),
        (
            "bad:\n  replacePathRegex:\n    regex: \"^/x/[\"\n    replacement: /",
            "replacePathRegex.regex: invalid regular expression",
        ),
        (
            "bad:\n  redirectRegex:\n    regex: \"(?P<\"\n    replacement: /",
            "redirectRegex.regex: invalid regular expression",
        ),
        (
            "bad:\n  headers:\n    accessControlAllowOriginListRegex: [\"*\"]",
            "accessControlAllowOriginListRegex[0]: invalid regular expression",
        ),
        (
            "bad:\n  forwardAuth:\n    address: http://127.0.0.1:1/\n    authResponseHeadersRegex: \"(\"",
            "authResponseHeadersRegex: invalid regular expression",
        ),
    ] {
        check(bad, reason).await;
    }
}

#[tokio::test]
async fn unreadable_or_empty_users_disable_their_routers() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("missing.htpasswd");
    let empty = dir.path().join("empty.htpasswd");
    std::fs::write(&empty, "# nobody yet\n\n").expect("write");
    check(
        &format!(
            "bad:\n  basicAuth:\n    usersFile: \"{}\"",
            missing.display()
        ),
        &format!("unable to read usersFile \"{}\"", missing.display()),
    )
    .await;
    check(
        &format!(
            "bad:\n  digestAuth:\n    usersFile: \"{}\"",
            missing.display()
        ),
        "unable to read usersFile",
    )
    .await;
    check(
        &format!("bad:\n  basicAuth:\n    usersFile: \"{}\"", empty.display()),
        "no users defined",
    )
    .await;
    check(
        "bad:\n  basicAuth:\n    users: []",
        "basicAuth.users: a basicAuth middleware needs users or a usersFile",
    )
    .await;
    check(
        "bad:\n  basicAuth:\n    users: [\"no-colon\"]",
        "invalid user entry for \"no-colon\"",
    )
    .await;
}

#[tokio::test]
async fn other_invalid_options() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("ca.pem");
    check(
        &format!(
            "bad:\n  forwardAuth:\n    address: https://127.0.0.1:1/\n    tls:\n      ca: \"{}\"",
            missing.display()
        ),
        &format!("unable to read tls.ca \"{}\"", missing.display()),
    )
    .await;
    check(
        "bad:\n  forwardAuth:\n    address: not a url",
        "forwardAuth.address: invalid address",
    )
    .await;
    check("bad:\n  headers: {}", "headers configuration not valid").await;
    check("bad:\n  addPrefix: {}", "prefix cannot be empty").await;
    check(
        "bad:\n  redirectScheme:\n    port: \"443\"",
        "you must provide a target scheme",
    )
    .await;
}
