//! Every part-A file of `config/examples/middlewares/` loads, enables its routers
//! and middlewares, and serves a request through them.

use std::path::PathBuf;

use axum::{Router, routing::any};
use base64::{Engine, engine::general_purpose::STANDARD};
use http::Response;
use portico_e2e::whoami::Seen;
use portico_test_support::{proxy, upstream};

use super::{TRUSTING, exchange};

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../config/examples/middlewares")
}

/// The example, with its backend address replaced by `backend`, started.
async fn start(file: &str, backend: std::net::SocketAddr) -> proxy::Proxy {
    let text = std::fs::read_to_string(examples_dir().join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .replace("127.0.0.1:9001", &backend.to_string());
    let proxy = proxy::builder()
        .install(TRUSTING)
        .routing(file, &text)
        .start()
        .await;
    let status = proxy.status();
    assert!(!status.routers.is_empty(), "{file}: no router");
    for (name, router) in &status.routers {
        assert!(
            router.enabled,
            "{file}: router {name} disabled: {:?}",
            router.errors
        );
    }
    for (name, middleware) in &status.middlewares {
        assert!(
            middleware.enabled,
            "{file}: middleware {name}: {:?}",
            middleware.errors
        );
    }
    proxy
}

/// A request through each example, and what proves the middleware ran.
#[tokio::test]
async fn every_example_loads_and_serves() {
    let backend = upstream::whoami("example").await;
    let addr = backend.addr();
    let dump = |r: &portico_e2e::wire::RawResponse| Seen::parse(&r.text()).unwrap_or_default();

    let p = start("add_prefix.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/users",
        &[("Host", "legacy.example.com")],
    )
    .await;
    assert_eq!(dump(&r).target, "/legacy/users");

    let p = start("strip_prefix.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/api/v1/users",
        &[("Host", "www.example.com")],
    )
    .await;
    assert_eq!(dump(&r).header("x-forwarded-prefix"), Some("/api/v1"));

    let p = start("strip_prefix_regex.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/tenants/acme/orders",
        &[("Host", "saas.example.com")],
    )
    .await;
    assert_eq!(dump(&r).target, "/orders");

    let p = start("replace_path.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/anything",
        &[("Host", "status.example.com")],
    )
    .await;
    assert_eq!(r.status, 200, "whoami's /health answers");

    let p = start("replace_path_regex.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/v2/users",
        &[("Host", "api.example.com")],
    )
    .await;
    assert_eq!(dump(&r).target, "/api/users");

    let p = start("redirect_scheme.yaml", addr).await;
    let r = exchange(p.addr("web"), "GET", "/", &[("Host", "www.example.com")]).await;
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some("https://www.example.com/"))
    );

    let p = start("redirect_regex.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/a?b=c",
        &[("Host", "old.example.com")],
    )
    .await;
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some("https://new.example.com/a?b=c"))
    );

    let p = start("headers.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/",
        &[
            ("Host", "api.example.com"),
            ("Origin", "https://app.example.com"),
            ("X-Forwarded-Proto", "https"),
        ],
    )
    .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        r.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains; preload")
    );
    assert_eq!(r.header("x-served-by"), Some("portico"));
    assert_eq!(dump(&r).header("x-script-name"), Some("/api"));

    let p = start("basic_auth.yaml", addr).await;
    let auth = format!("Basic {}", STANDARD.encode("admin:password"));
    let r = exchange(
        p.addr("web"),
        "GET",
        "/",
        &[("Host", "admin.example.com"), ("Authorization", &auth)],
    )
    .await;
    assert_eq!(dump(&r).header("x-webauth-user"), Some("admin"));
    let r = exchange(p.addr("web"), "GET", "/", &[("Host", "admin.example.com")]).await;
    assert_eq!(
        r.header("www-authenticate"),
        Some("Basic realm=\"Administration\"")
    );

    let p = start("digest_auth.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/",
        &[("Host", "reports.example.com")],
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .is_some_and(|v| v.starts_with("Digest realm=\"traefik\""))
    );

    let p = start("content_type.yaml", addr).await;
    let r = exchange(p.addr("web"), "GET", "/", &[("Host", "files.example.com")]).await;
    assert_eq!(r.status, 200);

    let p = start("pass_tls_client_cert.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/",
        &[("Host", "partners.example.com")],
    )
    .await;
    assert_eq!(dump(&r).header("x-forwarded-tls-client-cert"), None);

    let p = start("encoded_characters.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/files/a%2Fb",
        &[("Host", "files.example.com")],
    )
    .await;
    assert_eq!(r.status, 200);
    let r = exchange(
        p.addr("web"),
        "GET",
        "/files/a%5Cb",
        &[("Host", "files.example.com")],
    )
    .await;
    assert_eq!(r.status, 400);

    let p = start("grpc_web.yaml", addr).await;
    let r = exchange(
        p.addr("web"),
        "OPTIONS",
        "/helloworld.Greeter/SayHello",
        &[
            ("Host", "grpc.example.com"),
            ("Origin", "https://app.example.com"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "x-grpc-web"),
        ],
    )
    .await;
    assert_eq!(
        (r.status, r.header("access-control-allow-origin")),
        (204, Some("https://app.example.com"))
    );
}

/// The forwardAuth example's address is the backend too: an auth app answering
/// `/verify` with a user and a session cookie, and the application elsewhere.
#[tokio::test]
async fn forward_auth_example_serves() {
    let app = Router::new()
        .route(
            "/verify",
            any(|| async {
                Response::builder()
                    .header("x-auth-user", "alice")
                    .header("x-auth-claim-team", "ops")
                    .header("set-cookie", "sso_session=abc; Path=/")
                    .body(axum::body::Body::empty())
                    .expect("response")
            }),
        )
        .fallback(any(|request: http::Request<axum::body::Body>| async move {
            let user = request.headers().get("x-auth-user").cloned();
            let team = request.headers().get("x-auth-claim-team").cloned();
            format!("user={user:?} team={team:?}")
        }));
    let backend = upstream::axum(app).await;
    let p = start("forward_auth.yaml", backend.addr()).await;
    let r = exchange(
        p.addr("web"),
        "GET",
        "/",
        &[("Host", "dashboard.example.com")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "user=Some(\"alice\") team=Some(\"ops\")");
    assert_eq!(r.header("set-cookie"), Some("sso_session=abc; Path=/"));
}
