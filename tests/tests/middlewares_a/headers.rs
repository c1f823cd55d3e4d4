//! The `headers` middleware: custom request and response headers, CORS (preflight
//! answered at the proxy), security headers and `allowedHosts`.

use portico_test_support::upstream;

use super::{TRUSTING, exchange, routing, seen, start};

const CUSTOM: &str = "h:
  headers:
    customRequestHeaders:
      X-Script-Name: test
      X-Drop-Me: \"\"
    customResponseHeaders:
      X-Custom-Response: value
      X-Whoami-Name: \"\"";

#[tokio::test]
async fn custom_headers_are_set_and_deleted() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(&backend.url(), "PathPrefix(`/`)", &["h"], CUSTOM, ""),
    )
    .await;
    let response = exchange(
        proxy.addr("web"),
        "GET",
        "/",
        &[("X-Script-Name", "client"), ("X-Drop-Me", "secret")],
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-custom-response"), Some("value"));
    assert_eq!(
        response.header("x-whoami-name"),
        None,
        "the backend's header is deleted"
    );
    let s = portico_e2e::whoami::Seen::parse(&response.text()).expect("dump");
    assert_eq!(s.header_all("x-script-name"), ["test"]);
    assert_eq!(s.header("x-drop-me"), None);
}

const CORS: &str = "cors:
  headers:
    accessControlAllowMethods: [GET, OPTIONS, PUT]
    accessControlAllowHeaders: [X-Custom, Content-Type]
    accessControlAllowOriginList: [\"https://app.example.com\"]
    accessControlAllowOriginListRegex: [\"^https://[a-z]+\\\\.preview\\\\.example\\\\.com$\"]
    accessControlExposeHeaders: [X-Request-Id]
    accessControlMaxAge: 100
    addVaryHeader: true";

#[tokio::test]
async fn cors_preflight_is_answered_at_the_proxy() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(&backend.url(), "PathPrefix(`/`)", &["cors"], CORS, ""),
    )
    .await;
    let addr = proxy.addr("web");
    let preflight = [
        ("Origin", "https://app.example.com"),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "x-custom"),
    ];
    let response = exchange(addr, "OPTIONS", "/resource", &preflight).await;
    assert_eq!(response.status, 200);
    assert!(response.body.is_empty());
    assert_eq!(
        response.header("x-whoami-name"),
        None,
        "the backend is not called"
    );
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        response.header("access-control-allow-methods"),
        Some("GET,OPTIONS,PUT")
    );
    assert_eq!(
        response.header("access-control-allow-headers"),
        Some("X-Custom,Content-Type")
    );
    assert_eq!(response.header("access-control-max-age"), Some("100"));

    let regex_origin = [
        ("Origin", "https://pr.preview.example.com"),
        ("Access-Control-Request-Method", "GET"),
    ];
    let response = exchange(addr, "OPTIONS", "/resource", &regex_origin).await;
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://pr.preview.example.com")
    );

    let evil = [
        ("Origin", "https://evil.example.com"),
        ("Access-Control-Request-Method", "GET"),
    ];
    let response = exchange(addr, "OPTIONS", "/resource", &evil).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn cors_headers_on_actual_responses() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(&backend.url(), "PathPrefix(`/`)", &["cors"], CORS, ""),
    )
    .await;
    let addr = proxy.addr("web");
    let response = exchange(addr, "GET", "/", &[("Origin", "https://app.example.com")]).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        response.header("access-control-expose-headers"),
        Some("X-Request-Id")
    );
    assert_eq!(response.header("vary"), Some("Origin"));
    // OPTIONS without a requested method is not a preflight: the backend answers.
    let response = exchange(
        addr,
        "OPTIONS",
        "/",
        &[("Origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(response.header("x-whoami-name"), Some("b"));
}

const SECURE: &str = "sec:
  headers:
    sslProxyHeaders:
      X-Forwarded-Proto: https
    stsSeconds: 31536000
    stsIncludeSubdomains: true
    stsPreload: true
    frameDeny: true
    contentTypeNosniff: true
    browserXssFilter: true
    contentSecurityPolicy: \"default-src 'self'\"
    contentSecurityPolicyReportOnly: \"script-src 'none'\"
    referrerPolicy: no-referrer
    permissionsPolicy: \"camera=()\"
    publicKey: \"pin-sha256=\\\"base64==\\\"; max-age=10\"";

#[tokio::test]
async fn security_headers() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        Some(TRUSTING),
        &routing(&backend.url(), "PathPrefix(`/`)", &["sec"], SECURE, ""),
    )
    .await;
    let addr = proxy.addr("web");
    let plain = exchange(addr, "GET", "/", &[]).await;
    assert_eq!(
        plain.header("strict-transport-security"),
        None,
        "STS needs HTTPS"
    );
    assert_eq!(plain.header("public-key-pins"), None);
    assert_eq!(plain.header("x-frame-options"), Some("DENY"));
    assert_eq!(plain.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(plain.header("x-xss-protection"), Some("1; mode=block"));
    assert_eq!(
        plain.header("content-security-policy"),
        Some("default-src 'self'")
    );
    assert_eq!(
        plain.header("content-security-policy-report-only"),
        Some("script-src 'none'")
    );
    assert_eq!(plain.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(plain.header("permissions-policy"), Some("camera=()"));
    let secure = exchange(addr, "GET", "/", &[("X-Forwarded-Proto", "https")]).await;
    assert_eq!(
        secure.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains; preload")
    );
    assert_eq!(
        secure.header("public-key-pins"),
        Some("pin-sha256=\"base64==\"; max-age=10")
    );
}

#[tokio::test]
async fn allowed_hosts_and_development_mode() {
    let backend = upstream::whoami("b").await;
    let middlewares = "hosts:\n  headers:\n    allowedHosts: [api.example.com]\n    hostsProxyHeaders: [X-Forwarded-Host]\n    forceSTSHeader: true\n    stsSeconds: 60\ndev:\n  headers:\n    allowedHosts: [api.example.com]\n    stsSeconds: 60\n    forceSTSHeader: true\n    isDevelopment: true";
    let proxy = start(
        Some(TRUSTING),
        &routing(
            &backend.url(),
            "Host(`api.example.com`) || Host(`other.example.com`)",
            &["hosts"],
            middlewares,
            "dev:\n  rule: Host(`dev.example.com`)\n  service: backend\n  middlewares: [dev]",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let ok = exchange(addr, "GET", "/", &[("Host", "api.example.com")]).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("strict-transport-security"), Some("max-age=60"));
    let bad = exchange(addr, "GET", "/", &[("Host", "other.example.com")]).await;
    assert_eq!(bad.status, 500);
    assert_eq!(bad.text(), "Bad Host\n");
    // The proxy header names the host that is checked.
    let proxied = exchange(
        addr,
        "GET",
        "/",
        &[
            ("Host", "other.example.com"),
            ("X-Forwarded-Host", "api.example.com"),
        ],
    )
    .await;
    assert_eq!(proxied.status, 200);
    let dev = seen(addr, "/", &[("Host", "dev.example.com")]).await;
    assert_eq!(dev.header("host"), Some("dev.example.com"));
    let dev = exchange(addr, "GET", "/", &[("Host", "dev.example.com")]).await;
    assert_eq!(
        dev.header("strict-transport-security"),
        None,
        "isDevelopment skips STS"
    );
}
