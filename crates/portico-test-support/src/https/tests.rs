use std::time::Duration;

use http::Version;

use super::*;
use crate::tls::{self, Ca, ClientOptions};

const LIMIT: Duration = Duration::from_secs(10);

fn options(ca: &Ca, alpn: &[&'static str]) -> ClientOptions {
    ClientOptions {
        ca: Some(ca.pem()),
        alpn: alpn.to_vec(),
        ..ClientOptions::default()
    }
}

#[tokio::test]
async fn negotiates_h2_when_the_client_offers_it() {
    let ca = Ca::new("backend CA");
    let backend = start("b1", &ca.leaf(&["backend.test"]), ServerTls::default()).await;

    let reply = tls::get(
        backend.addr(),
        "backend.test",
        "backend.test",
        "/hello",
        &options(&ca, &["h2", "http/1.1"]),
    )
    .await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.version, Version::HTTP_2);
    assert_eq!(reply.header("x-http-version"), Some("HTTP/2.0"));
    assert_eq!(reply.header("x-tls-alpn"), Some("h2"));
    assert_eq!(reply.header("x-backend"), Some("b1"));
    assert_eq!(reply.text(), "b1 GET /hello");
    let handshakes = backend.handshakes();
    assert_eq!(handshakes.len(), 1);
    assert_eq!(handshakes[0].alpn.as_deref(), Some("h2"));
    assert_eq!(handshakes[0].sni.as_deref(), Some("backend.test"));
    assert_eq!(handshakes[0].version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(handshakes[0].client_cn, None);
    let requests = backend.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].version, Version::HTTP_2);
    assert_eq!(requests[0].path, "/hello");
}

#[tokio::test]
async fn http1_only_backend_and_client_without_alpn_speak_http1() {
    let ca = Ca::new("backend CA");
    let leaf = ca.leaf(&["backend.test"]);
    let http1 = start("b1", &leaf, ServerTls::default().alpn(&["http/1.1"])).await;

    let reply = tls::get(
        http1.addr(),
        "backend.test",
        "backend.test",
        "/",
        &options(&ca, &["h2", "http/1.1"]),
    )
    .await;
    assert_eq!(reply.version, Version::HTTP_11);
    assert_eq!(reply.header("x-tls-alpn"), Some("http/1.1"));
    assert_eq!(http1.requests()[0].version, Version::HTTP_11);

    let both = start("b2", &leaf, ServerTls::default()).await;
    let reply = tls::get(
        both.addr(),
        "backend.test",
        "backend.test",
        "/",
        &options(&ca, &[]),
    )
    .await;
    assert_eq!(reply.version, Version::HTTP_11);
    assert_eq!(both.handshakes()[0].alpn, None);
}

#[tokio::test]
async fn records_tls12_and_answers_status_paths() {
    let ca = Ca::new("backend CA");
    let backend = start("b1", &ca.leaf(&["backend.test"]), ServerTls::default()).await;
    let options = ClientOptions {
        tls12_only: true,
        ..options(&ca, &["http/1.1"])
    };

    let reply = tls::get(
        backend.addr(),
        "backend.test",
        "backend.test",
        "/status/503",
        &options,
    )
    .await;

    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("x-tls-version"), Some("TLSv1_2"));
    assert_eq!(
        backend.handshakes()[0].version,
        Some(ProtocolVersion::TLSv1_2)
    );
}

#[tokio::test]
async fn required_client_certificate_is_checked_and_recorded() {
    let server_ca = Ca::new("backend CA");
    let client_ca = Ca::new("client CA");
    let tls_config = ServerTls::default().require_client_cert(&client_ca.pem());
    let backend = start("b1", &server_ca.leaf(&["backend.test"]), tls_config).await;

    let with_cert = ClientOptions {
        client_cert: Some(client_ca.client("client-a")),
        ..options(&server_ca, &["h2"])
    };
    let reply = tls::get(
        backend.addr(),
        "backend.test",
        "backend.test",
        "/",
        &with_cert,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-client-cn"), Some("client-a"));
    let seen = &backend.handshakes()[0];
    assert_eq!(seen.client_cn.as_deref(), Some("client-a"));
    assert!(
        seen.client_subject
            .as_deref()
            .is_some_and(|s| s.contains("CN=client-a")),
        "{seen:?}"
    );

    // Without a certificate, then with one from another CA: both refused.
    let _ = tls::connect(
        backend.addr(),
        "backend.test",
        tls::client_config(&options(&server_ca, &["h2"])),
    )
    .await;
    let stranger = ClientOptions {
        client_cert: Some(Ca::new("other CA").client("client-b")),
        ..options(&server_ca, &["h2"])
    };
    let _ = tls::connect(
        backend.addr(),
        "backend.test",
        tls::client_config(&stranger),
    )
    .await;

    tokio::time::timeout(LIMIT, backend.wait_handshakes(3))
        .await
        .expect("handshakes finished");
    assert_eq!(backend.failed_handshakes(), 2);
    assert_eq!(backend.handshakes().len(), 1);
}

#[tokio::test]
async fn optional_client_certificate_accepts_anonymous_clients() {
    let server_ca = Ca::new("backend CA");
    let client_ca = Ca::new("client CA");
    let tls_config = ServerTls {
        client_auth: ClientAuth::Optional(client_ca.pem()),
        ..ServerTls::default()
    };
    let backend = start("b1", &server_ca.leaf(&["backend.test"]), tls_config).await;

    let reply = tls::get(
        backend.addr(),
        "backend.test",
        "backend.test",
        "/",
        &options(&server_ca, &["http/1.1"]),
    )
    .await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-client-cn"), Some(""));
    assert_eq!(backend.handshakes()[0].client_subject, None);
}
