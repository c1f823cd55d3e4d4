use std::convert::Infallible;

use http::Response;
use tower::{ServiceExt, service_fn};

use super::*;

async fn through(layer: &ForwardedHeadersLayer, request: Request<()>) -> HeaderMap {
    let svc = layer.layer(service_fn(|req: Request<()>| async move {
        Ok::<_, Infallible>(Response::new(req.headers().clone()))
    }));
    svc.oneshot(request).await.unwrap().into_body()
}

fn request(peer: &str, tls: bool, headers: &[(&str, &str)]) -> Request<()> {
    let mut builder = Request::get("/");
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let mut req = builder.body(()).unwrap();
    req.extensions_mut().insert(ConnectionInfo::new(
        peer.parse().unwrap(),
        "127.0.0.1:80".parse().unwrap(),
        "web".into(),
        tls,
    ));
    req
}

#[tokio::test]
async fn untrusted_client_headers_are_replaced() {
    let layer = ForwardedHeadersLayer::new(Trust::nobody(), "edge");
    let h = through(
        &layer,
        request(
            "192.0.2.1:5000",
            false,
            &[
                ("host", "app.example:8080"),
                ("x-forwarded-for", "6.6.6.6"),
                ("x-forwarded-proto", "https"),
                ("x_forwarded_host", "evil"),
                ("x-real-ip", "6.6.6.6"),
                ("x-forwarded-server", "evil"),
                ("x-keep", "1"),
            ],
        ),
    )
    .await;
    assert!(!h.contains_key("x-forwarded-for"));
    assert!(!h.contains_key("x_forwarded_host"));
    assert_eq!(h["x-real-ip"], "192.0.2.1");
    assert_eq!(h["x-forwarded-proto"], "http");
    assert_eq!(h["x-forwarded-host"], "app.example:8080");
    assert_eq!(h["x-forwarded-port"], "8080");
    assert_eq!(h["x-forwarded-server"], "edge");
    assert_eq!(h["x-keep"], "1");
}

#[tokio::test]
async fn trusted_client_headers_are_kept_and_xff_joined() {
    let trust = Trust::networks(vec!["192.0.2.0/24".parse().unwrap()]);
    let layer = ForwardedHeadersLayer::new(trust, "edge");
    let mut req = request(
        "192.0.2.1:5000",
        false,
        &[("x-forwarded-proto", "https"), ("x-real-ip", "203.0.113.5")],
    );
    req.headers_mut()
        .append("x-forwarded-for", "1.1.1.1".parse().unwrap());
    req.headers_mut()
        .append("x-forwarded-for", "2.2.2.2".parse().unwrap());
    let h = through(&layer, req).await;
    assert_eq!(h["x-forwarded-proto"], "https");
    assert_eq!(h["x-real-ip"], "203.0.113.5");
    assert_eq!(h["x-forwarded-for"], "1.1.1.1, 2.2.2.2");
    assert_eq!(h.get_all("x-forwarded-for").iter().count(), 1);
    // https from a trusted proxy implies port 443 when Host has none.
    assert_eq!(h["x-forwarded-port"], "443");
}

#[tokio::test]
async fn tls_and_websocket_protocols() {
    let layer = ForwardedHeadersLayer::new(Trust::nobody(), "");
    let h = through(
        &layer,
        request("[::ffff:10.0.0.1]:1", true, &[("host", "a")]),
    )
    .await;
    assert_eq!(h["x-forwarded-proto"], "https");
    assert_eq!(h["x-forwarded-port"], "443");
    assert_eq!(h["x-real-ip"], "10.0.0.1");
    assert!(!h.contains_key("x-forwarded-server"));
    let ws = [
        ("connection", "keep-alive, Upgrade"),
        ("upgrade", "websocket"),
    ];
    let h = through(&layer, request("10.0.0.1:1", false, &ws)).await;
    assert_eq!(h["x-forwarded-proto"], "ws");
    let h = through(&layer, request("10.0.0.1:1", true, &ws)).await;
    assert_eq!(h["x-forwarded-proto"], "wss");
}

#[tokio::test]
async fn insecure_trusts_everybody_and_missing_conn_info_trusts_nobody() {
    let layer = ForwardedHeadersLayer::new(Trust::everybody(), "edge");
    let h = through(
        &layer,
        request("198.51.100.1:1", false, &[("x-forwarded-proto", "https")]),
    )
    .await;
    assert_eq!(h["x-forwarded-proto"], "https");
    let no_conn = Request::get("/")
        .header("x-forwarded-proto", "https")
        .body(())
        .unwrap();
    let h = through(&layer, no_conn).await;
    assert_eq!(h["x-forwarded-proto"], "http");
    assert!(!h.contains_key("x-real-ip"));
}

#[test]
fn managed_names_and_ports() {
    assert!(is_managed("x-forwarded-for"));
    assert!(is_managed("x_forwarded_tls_client_cert_info"));
    assert!(is_managed("x-real-ip"));
    assert!(is_managed("x_real_ip"));
    assert!(!is_managed("x-forwarded-foo"));
    assert!(!is_managed("x-app"));
    assert_eq!(port_of("a:81"), Some("81"));
    assert_eq!(port_of("[::1]:82"), Some("82"));
    assert_eq!(port_of("[::1]"), None);
    assert_eq!(port_of("a"), None);
    assert_eq!(port_of("a:"), None);
}
