//! `https://` backends: verification, names, client certificates, ALPN, versions,
//! cipher suites and HTTP/2 pings, against real TLS servers on `127.0.0.1:0`.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::time::Duration;

use http::{HeaderMap, StatusCode};
use portico_core::ProxyError;
use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
use rustls::{ProtocolVersion, crypto::ring::cipher_suite};
use support::{Ca, Mode, TlsOptions, get, tls_backend};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `GET /` to `https://<addr>` and returns the response headers.
async fn fetch(
    settings: TransportSettings,
    addr: std::net::SocketAddr,
) -> Result<HeaderMap, ProxyError> {
    let transport = Transport::new(&settings).expect("valid settings");
    let target = Target::parse(&format!("https://{addr}")).unwrap();
    let response = Forwarder::new(transport).forward(get("/"), &target).await?;
    assert_eq!(response.status(), StatusCode::OK);
    Ok(response.headers().clone())
}

fn trusting(ca: &Ca) -> TransportSettings {
    TransportSettings {
        root_certificates: vec![ca.der()],
        ..TransportSettings::default()
    }
}

fn assert_bad_gateway(result: Result<HeaderMap, ProxyError>) {
    match result {
        Err(error) => assert_eq!(error.status(), StatusCode::BAD_GATEWAY, "{error:?}"),
        Ok(headers) => panic!("expected a refusal, got {headers:?}"),
    }
}

#[tokio::test]
async fn verified_backend_negotiates_h2_by_alpn() {
    let ca = Ca::new("backend CA");
    let backend = tls_backend(TlsOptions::new(ca.server(&["127.0.0.1"], &[]))).await;
    let h = fetch(trusting(&ca), backend.addr).await.unwrap();
    assert_eq!(h["x-alpn"], "h2");
    assert_eq!(h["x-http-version"], "HTTP/2.0");
    assert_eq!(h["x-tls-version"], "TLSv1_3");
    // No SNI for an IP address.
    assert_eq!(h["x-sni"], "none");
    assert_eq!(h["x-client-cert-len"], "none");
}

#[tokio::test]
async fn disable_http2_offers_only_http11() {
    let ca = Ca::new("backend CA");
    let backend = tls_backend(TlsOptions::new(ca.server(&["127.0.0.1"], &[]))).await;
    let settings = TransportSettings {
        disable_http2: true,
        ..trusting(&ca)
    };
    let h = fetch(settings, backend.addr).await.unwrap();
    assert_eq!(h["x-alpn"], "http/1.1");
    assert_eq!(h["x-http-version"], "HTTP/1.1");
}

#[tokio::test]
async fn unknown_ca_is_refused_with_502() {
    let ca = Ca::new("backend CA");
    let backend = tls_backend(TlsOptions::new(ca.server(&["127.0.0.1"], &[]))).await;
    let other = Ca::new("another CA");
    assert_bad_gateway(fetch(trusting(&other), backend.addr).await);
    // The default roots (Mozilla's) do not know a private CA either.
    assert_bad_gateway(fetch(TransportSettings::default(), backend.addr).await);
    match fetch(trusting(&other), backend.addr).await {
        Err(ProxyError::UpstreamConnect { .. }) => {}
        other => panic!("expected a connect failure, got {other:?}"),
    }
}

#[tokio::test]
async fn insecure_skip_verify_accepts_an_unknown_ca() {
    let ca = Ca::new("backend CA");
    let backend = tls_backend(TlsOptions::new(ca.server(&["elsewhere.example"], &[]))).await;
    let settings = TransportSettings {
        insecure_skip_verify: true,
        ..TransportSettings::default()
    };
    let h = fetch(settings, backend.addr).await.unwrap();
    assert_eq!(h["x-alpn"], "h2");
}

#[tokio::test]
async fn server_name_is_sent_and_verified_instead_of_the_host() {
    let ca = Ca::new("backend CA");
    let backend = tls_backend(TlsOptions::new(ca.server(&["backend.internal"], &[]))).await;
    // The URL's host (127.0.0.1) is not in the certificate.
    assert_bad_gateway(fetch(trusting(&ca), backend.addr).await);
    let settings = TransportSettings {
        server_name: Some("backend.internal".into()),
        ..trusting(&ca)
    };
    let h = fetch(settings, backend.addr).await.unwrap();
    assert_eq!(h["x-sni"], "backend.internal");
    // A name the certificate does not carry is refused.
    let wrong = TransportSettings {
        server_name: Some("other.internal".into()),
        ..trusting(&ca)
    };
    assert_bad_gateway(fetch(wrong, backend.addr).await);
}

#[tokio::test]
async fn peer_cert_sans_replace_the_host_name_check() {
    let ca = Ca::new("backend CA");
    let identity = ca.server(&["backend.internal"], &["spiffe://example.org/backend"]);
    let backend = tls_backend(TlsOptions::new(identity)).await;
    let sans = |names: &[&str], ca: &Ca| TransportSettings {
        peer_cert_sans: names.iter().map(|n| (*n).to_owned()).collect(),
        ..trusting(ca)
    };
    // URI and DNS names match, whatever the URL's host.
    fetch(sans(&["spiffe://example.org/backend"], &ca), backend.addr)
        .await
        .unwrap();
    fetch(
        sans(&["nope.internal", "BACKEND.internal"], &ca),
        backend.addr,
    )
    .await
    .unwrap();
    // None of the names: refused.
    assert_bad_gateway(fetch(sans(&["spiffe://example.org/other"], &ca), backend.addr).await);
    // The right name under a CA that is not trusted: refused, the chain still counts.
    let other = Ca::new("another CA");
    assert_bad_gateway(
        fetch(
            sans(&["spiffe://example.org/backend"], &other),
            backend.addr,
        )
        .await,
    );
    // Skipping verification skips the chain, not the expected names.
    let insecure = |names: &[&str]| TransportSettings {
        insecure_skip_verify: true,
        ..sans(names, &other)
    };
    fetch(insecure(&["spiffe://example.org/backend"]), backend.addr)
        .await
        .unwrap();
    assert_bad_gateway(fetch(insecure(&["spiffe://example.org/other"]), backend.addr).await);
}

#[tokio::test]
async fn client_certificate_is_presented_to_backends_that_require_one() {
    let ca = Ca::new("backend CA");
    let clients = Ca::new("client CA");
    let mut options = TlsOptions::new(ca.server(&["127.0.0.1"], &[]));
    options.client_ca = Some(clients.der());
    let backend = tls_backend(options).await;

    assert_bad_gateway(fetch(trusting(&ca), backend.addr).await);
    let identity = clients.client("portico");
    let presented_len = identity.chain[0].len().to_string();
    let settings = TransportSettings {
        client_certificate: Some((identity.chain, identity.key)),
        ..trusting(&ca)
    };
    let h = fetch(settings, backend.addr).await.unwrap();
    assert_eq!(h["x-client-cert-len"], presented_len.as_str());
    // A certificate from a CA the backend does not trust is refused.
    let stranger = Ca::new("stranger CA").client("portico");
    let settings = TransportSettings {
        client_certificate: Some((stranger.chain, stranger.key)),
        ..trusting(&ca)
    };
    assert_bad_gateway(fetch(settings, backend.addr).await);
}

#[tokio::test]
async fn tls_versions_are_bounded() {
    let ca = Ca::new("backend CA");
    let mut options = TlsOptions::new(ca.server(&["127.0.0.1"], &[]));
    options.tls12_only = true;
    let tls12_backend = tls_backend(options).await;
    let modern = tls_backend(TlsOptions::new(ca.server(&["127.0.0.1"], &[]))).await;

    let min13 = TransportSettings {
        min_version: Some(ProtocolVersion::TLSv1_3),
        ..trusting(&ca)
    };
    assert_bad_gateway(fetch(min13, tls12_backend.addr).await);
    let h = fetch(trusting(&ca), tls12_backend.addr).await.unwrap();
    assert_eq!(h["x-tls-version"], "TLSv1_2");
    let max12 = TransportSettings {
        max_version: Some(ProtocolVersion::TLSv1_2),
        ..trusting(&ca)
    };
    let h = fetch(max12, modern.addr).await.unwrap();
    assert_eq!(h["x-tls-version"], "TLSv1_2");
    let h = fetch(trusting(&ca), modern.addr).await.unwrap();
    assert_eq!(h["x-tls-version"], "TLSv1_3");
}

#[tokio::test]
async fn cipher_suites_are_offered_as_configured() {
    let ca = Ca::new("backend CA");
    let mut options = TlsOptions::new(ca.server(&["127.0.0.1"], &[]));
    options.tls12_only = true;
    let backend = tls_backend(options).await;
    for suite in [
        cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        let settings = TransportSettings {
            cipher_suites: vec![suite],
            ..trusting(&ca)
        };
        let h = fetch(settings, backend.addr).await.unwrap();
        assert_eq!(h["x-cipher"], format!("{:?}", suite.suite()).as_str());
    }
    // Only RSA suites against an ECDSA certificate: no common suite.
    let settings = TransportSettings {
        cipher_suites: vec![cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
        ..trusting(&ca)
    };
    assert_bad_gateway(fetch(settings, backend.addr).await);
}

#[tokio::test]
async fn h2_pings_keep_a_connection_in_use() {
    let ca = Ca::new("backend CA");
    let backend = tls_backend(TlsOptions::new(ca.server(&["127.0.0.1"], &[]))).await;
    let settings = TransportSettings {
        read_idle_timeout: Some(Duration::from_millis(20)),
        ping_timeout: Duration::from_secs(5),
        ..trusting(&ca)
    };
    let transport = Transport::new(&settings).unwrap();
    let forwarder = Forwarder::new(transport);
    let target = Target::parse(&format!("https://{}", backend.addr)).unwrap();
    let first = forwarder.forward(get("/"), &target).await.unwrap();
    // Several ping intervals pass while the connection is idle.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let second = forwarder.forward(get("/"), &target).await.unwrap();
    assert_eq!(first.headers()["x-http-version"], "HTTP/2.0");
    assert_eq!(first.headers()["x-conn"], second.headers()["x-conn"]);
    assert_eq!(
        backend
            .connections
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}

#[tokio::test]
async fn upgrades_to_tls_backends_use_http11_even_when_h2_is_offered() {
    let ca = Ca::new("backend CA");
    let mut options = TlsOptions::new(ca.server(&["127.0.0.1"], &[]));
    options.mode = Mode::UpgradeEcho;
    let backend = tls_backend(options).await;
    let transport = Transport::new(&trusting(&ca)).unwrap();
    let target = Target::parse(&format!("https://{}", backend.addr)).unwrap();
    let proxy = support::proxy(Forwarder::new(transport), target).await;

    let mut client = tokio::net::TcpStream::connect(proxy).await.unwrap();
    client
        .write_all(b"GET /ws HTTP/1.1\r\nHost: app.example\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n")
        .await
        .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0; 1];
        assert_eq!(client.read(&mut byte).await.unwrap(), 1, "{head:?}");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains("x-http-version: http/1.1"), "{head}");
    client.write_all(b"ping").await.unwrap();
    let mut echoed = [0; 4];
    tokio::time::timeout(Duration::from_secs(5), client.read_exact(&mut echoed))
        .await
        .expect("echo in time")
        .unwrap();
    assert_eq!(&echoed, b"ping");
}
