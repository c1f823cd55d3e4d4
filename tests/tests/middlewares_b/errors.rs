//! `errors`: error pages from another service, `{status}` and rewrites.

use axum::{Router, extract::Request, routing::any};
use portico_test_support::upstream;

use super::{get, routing, start};

async fn pages() -> upstream::Upstream {
    upstream::axum(Router::new().fallback(any(|request: Request| async move {
        let host = request
            .headers()
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        format!("page {} for {host}", request.uri())
    })))
    .await
}

#[tokio::test]
async fn error_page_with_status_and_original_status() {
    let backend = upstream::whoami("b").await;
    let pages = pages().await;
    let services = format!(
        "pages:\n  loadBalancer:\n    servers:\n      - url: \"{}\"\n",
        pages.url()
    );
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["oops"],
            "oops:\n  errors:\n    status: [\"500-599\", \"404\"]\n    statusRewrites:\n      \"502-504\": 500\n    service: pages\n    query: \"/{status}.html?was={originalStatus}&url={url}\"\n",
            &services,
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let reply = get(addr, "/status/503", &[]).await;
    assert_eq!(reply.status, 500, "503 is rewritten to 500");
    assert_eq!(
        reply.text(),
        "page /500.html?was=503&url=%2Fstatus%2F503 for example.com"
    );
    let reply = get(addr, "/status/501", &[]).await;
    assert_eq!(reply.status, 501, "the original status is kept");
    assert_eq!(
        reply.text(),
        "page /501.html?was=501&url=%2Fstatus%2F501 for example.com"
    );
    let reply = get(addr, "/status/404", &[]).await;
    assert_eq!(reply.status, 404);
    assert!(reply.text().starts_with("page /404.html"));
    // Other statuses pass through.
    let reply = get(addr, "/status/418", &[]).await;
    assert_eq!(reply.status, 418);
    assert!(!reply.text().starts_with("page"));
}

#[tokio::test]
async fn missing_error_service_disables_the_router() {
    let backend = upstream::whoami("b").await;
    let proxy = portico_test_support::proxy::builder()
        .routing(
            "r.yaml",
            &routing(
                &backend.url(),
                &["oops"],
                "oops:\n  errors:\n    status: [\"500\"]\n    service: nowhere\n",
                "",
            ),
        )
        .start()
        .await;
    let status = proxy.status();
    assert!(!status.routers["r@file"].enabled);
    assert!(status.middlewares["oops@file"].errors[0].contains("\"nowhere@file\" does not exist"));
}
