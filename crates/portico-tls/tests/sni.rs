//! Certificate selection by SNI, `sniStrict`, live publishes and non-TLS input, with
//! real handshakes on `127.0.0.1:0`.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::{io, sync::Arc, time::Duration};

use portico_tls::{HandshakeError, TlsAcceptor, TlsOptions, TlsRegistry};
use support::{Ca, ClientSpec, served, snapshot, store, trusting};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use x509_parser::prelude::FromDer;

fn common_name(der: &[u8]) -> String {
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).unwrap();
    let cn = cert.subject().iter_common_name().next().unwrap();
    cn.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn exact_wildcard_and_default_certificates() {
    let ca = Ca::new("test ca");
    let exact = ca.leaf(&["a.example.com"]);
    let wild = ca.leaf(&["*.example.com"]);
    let default = ca.leaf(&["default.test", "x.b.example.com", "example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(
        &registry,
        store(&[&exact, &wild], Some(&default)),
        TlsOptions::default(),
    ));
    let mut server = support::serve(registry).await;
    let client = trusting(&ca).build();

    let (conn, info) = server.attempt(client.clone(), "a.example.com").await;
    assert_eq!(served(&conn.unwrap()), exact.der);
    assert_eq!(info.unwrap().sni.as_deref(), Some("a.example.com"));

    let (conn, _) = server.attempt(client.clone(), "b.example.com").await;
    assert_eq!(served(&conn.unwrap()), wild.der);

    // A wildcard covers one label only: these get the default certificate.
    for name in ["x.b.example.com", "example.com"] {
        let (conn, info) = server.attempt(client.clone(), name).await;
        assert_eq!(served(&conn.unwrap()), default.der, "{name}");
        assert_eq!(&*info.unwrap().options, "default");
    }

    // No SNI: the default certificate (verified as default.test).
    let no_sni = ClientSpec {
        no_sni: true,
        ..trusting(&ca)
    }
    .build();
    let (conn, info) = server.attempt(no_sni, "default.test").await;
    assert_eq!(served(&conn.unwrap()), default.der);
    assert_eq!(info.unwrap().sni, None);
}

#[tokio::test]
async fn generated_default_certificate_without_a_configured_one() {
    let ca = Ca::new("test ca");
    let exact = ca.leaf(&["a.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(
        &registry,
        store(&[&exact], None),
        TlsOptions::default(),
    ));
    let mut server = support::serve(registry).await;

    let any = ClientSpec::default().build();
    let (conn, _) = server.attempt(any.clone(), "unknown.test").await;
    let first = served(&conn.unwrap());
    assert_eq!(common_name(&first), "TRAEFIK DEFAULT CERT");
    // Generated once per process.
    let no_sni = ClientSpec {
        no_sni: true,
        ..ClientSpec::default()
    }
    .build();
    let (conn, _) = server.attempt(no_sni, "unknown.test").await;
    assert_eq!(served(&conn.unwrap()), first);
    // A client that verifies refuses it.
    let (conn, _) = server.attempt(trusting(&ca).build(), "unknown.test").await;
    assert!(conn.is_err());
}

#[tokio::test]
async fn sni_strict_refuses_missing_and_unknown_names() {
    let ca = Ca::new("test ca");
    let exact = ca.leaf(&["a.example.com"]);
    let wild = ca.leaf(&["*.example.com"]);
    let default = ca.leaf(&["default.test"]);
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(
        &registry,
        store(&[&exact, &wild], Some(&default)),
        TlsOptions {
            sni_strict: true,
            ..TlsOptions::default()
        },
    ));
    let mut server = support::serve(registry).await;
    let client = trusting(&ca).build();

    let (conn, info) = server.attempt(client.clone(), "a.example.com").await;
    assert_eq!(served(&conn.unwrap()), exact.der);
    assert!(info.is_ok());
    let (conn, _) = server.attempt(client.clone(), "b.example.com").await;
    assert_eq!(served(&conn.unwrap()), wild.der);

    let (conn, info) = server.attempt(client.clone(), "unknown.test").await;
    assert!(conn.is_err());
    assert!(info.is_err());
    let (conn, info) = server.attempt(client.clone(), "x.b.example.com").await;
    assert!(conn.is_err());
    assert!(info.is_err());

    let no_sni = ClientSpec {
        no_sni: true,
        ..trusting(&ca)
    }
    .build();
    let (conn, info) = server.attempt(no_sni, "default.test").await;
    assert!(conn.is_err());
    assert!(info.is_err());
}

#[tokio::test]
async fn options_are_chosen_by_sni() {
    let ca = Ca::new("test ca");
    let leaf = ca.leaf(&["*.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    let mut builder = registry.builder();
    builder
        .certificates(store(&[&leaf], None))
        .options("default", TlsOptions::default())
        .options(
            "modern",
            TlsOptions {
                min_version: "VersionTLS13".parse().unwrap(),
                ..TlsOptions::default()
            },
        )
        .host("modern.example.com", "modern");
    let (snapshot, errors) = builder.build();
    support::assert_no_errors(&errors);
    registry.publish(snapshot);
    let mut server = support::serve(registry).await;
    let tls12 = ClientSpec {
        tls12_only: true,
        ..trusting(&ca)
    }
    .build();

    let (conn, info) = server.attempt(tls12.clone(), "old.example.com").await;
    assert!(conn.is_ok());
    assert_eq!(&*info.unwrap().options, "default");
    let (conn, info) = server.attempt(tls12, "modern.example.com").await;
    assert!(conn.is_err());
    assert!(info.is_err());
    let (conn, info) = server
        .attempt(trusting(&ca).build(), "Modern.Example.com")
        .await;
    assert!(conn.is_ok());
    let info = info.unwrap();
    assert_eq!(&*info.options, "modern");
    assert_eq!(portico_tls::version_name(&info), "1.3");
}

#[tokio::test]
async fn publish_swaps_the_certificate_and_keeps_open_connections() {
    let ca = Ca::new("test ca");
    let first = ca.leaf(&["a.example.com"]);
    let second = ca.leaf(&["a.example.com"]);
    assert_ne!(first.der, second.der);
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(
        &registry,
        store(&[&first], None),
        TlsOptions::default(),
    ));
    let mut server = support::serve(registry.clone()).await;
    let client = trusting(&ca).build();

    let (early, _) = server.attempt(client.clone(), "a.example.com").await;
    let mut early = early.unwrap();
    assert_eq!(served(&early), first.der);

    registry.publish(snapshot(
        &registry,
        store(&[&second], None),
        TlsOptions::default(),
    ));

    // The next full handshake sees the new certificate (a fresh client: the
    // first one would resume its session, with no certificate sent)...
    let (late, _) = server.attempt(trusting(&ca).build(), "a.example.com").await;
    assert_eq!(served(&late.unwrap()), second.der);
    // ...and the earlier connection is untouched and usable.
    support::roundtrip(&mut early).await.unwrap();
    support::roundtrip(&mut early).await.unwrap();
    assert_eq!(served(&early), first.der);
}

#[tokio::test]
async fn plain_http_is_never_served() {
    let ca = Ca::new("test ca");
    let leaf = ca.leaf(&["a.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(
        &registry,
        store(&[&leaf], None),
        TlsOptions::default(),
    ));
    let mut server = support::serve(registry).await;

    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\nping")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    let error = server.outcome().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}");
    assert!(!answer.windows(4).any(|w| w == b"HTTP"));
    assert!(!answer.windows(4).any(|w| w == b"ping"));
}

#[tokio::test]
async fn a_silent_client_times_out() {
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(&registry, store(&[], None), TlsOptions::default()));
    let acceptor = TlsAcceptor::new(registry).handshake_timeout(Duration::from_millis(200));
    let mut server = support::serve_acceptor(acceptor).await;
    let _tcp = TcpStream::connect(server.addr).await.unwrap();
    let error = server.outcome().await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    let source = error.get_ref().unwrap().downcast_ref::<HandshakeError>();
    assert!(matches!(source, Some(HandshakeError::Timeout { .. })));
}

#[tokio::test]
async fn nothing_published_refuses_handshakes() {
    let mut server = support::serve(Arc::new(TlsRegistry::new())).await;
    let (conn, info) = server
        .attempt(ClientSpec::default().build(), "a.example.com")
        .await;
    assert!(conn.is_err());
    let error = info.unwrap_err();
    let source = error.get_ref().unwrap().downcast_ref::<HandshakeError>();
    assert!(
        matches!(source, Some(HandshakeError::NoConfig { .. })),
        "{error}"
    );
}

#[tokio::test]
async fn acme_tls_alpn_challenge_is_answered_and_never_served() {
    let ca = Ca::new("test ca");
    let leaf = ca.leaf(&["a.example.com"]);
    let challenge = ca.leaf(&["a.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    let mut certs = portico_tls::CertStore::builder();
    certs.add(leaf.certificate());
    certs.acme_challenge("a.example.com", challenge.certificate());
    let mut builder = registry.builder();
    builder
        .certificates(certs.build())
        .options("default", TlsOptions::default())
        .acme_tls_alpn(true);
    let (snapshot, errors) = builder.build();
    support::assert_no_errors(&errors);
    registry.publish(snapshot);
    let mut server = support::serve(registry).await;

    let acme = ClientSpec {
        alpn: vec!["acme-tls/1"],
        ..trusting(&ca)
    }
    .build();
    let conn = support::connect(server.addr, acme, "a.example.com")
        .await
        .unwrap();
    assert_eq!(served(&conn), challenge.der);
    assert_eq!(conn.get_ref().1.alpn_protocol(), Some(&b"acme-tls/1"[..]));
    let error = server.outcome().await.unwrap_err();
    let source = error.get_ref().unwrap().downcast_ref::<HandshakeError>();
    assert!(matches!(source, Some(HandshakeError::AcmeChallenge)));

    // Ordinary clients get the ordinary certificate.
    let h2 = ClientSpec {
        alpn: vec!["h2", "http/1.1"],
        ..trusting(&ca)
    }
    .build();
    let (conn, _) = server.attempt(h2, "a.example.com").await;
    assert_eq!(served(&conn.unwrap()), leaf.der);
}
