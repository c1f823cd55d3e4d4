//! TLS options observed in real handshakes: versions, cipher suites, curves, ALPN
//! and session resumption.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::sync::Arc;

use portico_tls::{
    OptionsError, TlsOptions, TlsRegistry, TlsVersion, cipher_suite_name, version_name,
};
use rustls::{CipherSuite, HandshakeKind, NamedGroup, ProtocolVersion, crypto::ring};
use support::{Ca, ClientSpec, Server, snapshot, store, trusting};

async fn server_with(options: TlsOptions) -> (Server, Ca) {
    let ca = Ca::new("test ca");
    let leaf = ca.leaf(&["a.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(&registry, store(&[&leaf], None), options));
    (support::serve(registry).await, ca)
}

fn version(v: &str) -> TlsVersion {
    v.parse().unwrap()
}

#[tokio::test]
async fn default_options_serve_tls12_and_tls13() {
    let (mut server, ca) = server_with(TlsOptions::default()).await;
    let (conn, info) = server.attempt(trusting(&ca).build(), "a.example.com").await;
    assert!(conn.is_ok());
    assert_eq!(info.unwrap().version, "TLSv1_3");
    let tls12 = ClientSpec {
        tls12_only: true,
        ..trusting(&ca)
    };
    let (conn, info) = server.attempt(tls12.build(), "a.example.com").await;
    assert!(conn.is_ok());
    let info = info.unwrap();
    assert_eq!(info.version, "TLSv1_2");
    assert_eq!(version_name(&info), "1.2");
}

#[tokio::test]
async fn min_version_tls13_refuses_a_tls12_client() {
    let (mut server, ca) = server_with(TlsOptions {
        min_version: version("VersionTLS13"),
        ..TlsOptions::default()
    })
    .await;
    let tls12 = ClientSpec {
        tls12_only: true,
        ..trusting(&ca)
    };
    let (conn, info) = server.attempt(tls12.build(), "a.example.com").await;
    assert!(conn.is_err());
    assert!(info.is_err());
    let (conn, _) = server.attempt(trusting(&ca).build(), "a.example.com").await;
    assert!(conn.is_ok());
}

#[tokio::test]
async fn max_version_tls12_caps_the_version() {
    let (mut server, ca) = server_with(TlsOptions {
        max_version: Some(version("VersionTLS12")),
        ..TlsOptions::default()
    })
    .await;
    let (conn, info) = server.attempt(trusting(&ca).build(), "a.example.com").await;
    assert_eq!(
        conn.unwrap().get_ref().1.protocol_version(),
        Some(ProtocolVersion::TLSv1_2)
    );
    assert_eq!(info.unwrap().version, "TLSv1_2");
    let tls13 = ClientSpec {
        tls13_only: true,
        ..trusting(&ca)
    };
    let (conn, _) = server.attempt(tls13.build(), "a.example.com").await;
    assert!(conn.is_err());
}

#[tokio::test]
async fn tls10_as_minimum_means_tls12() {
    let options = TlsOptions {
        min_version: version("VersionTLS10"),
        ..TlsOptions::default()
    };
    assert_eq!(options.check().unwrap().len(), 1);
    let (mut server, ca) = server_with(options).await;
    let tls12 = ClientSpec {
        tls12_only: true,
        ..trusting(&ca)
    };
    let (conn, _) = server.attempt(tls12.build(), "a.example.com").await;
    assert!(conn.is_ok());
}

#[test]
fn versions_rustls_cannot_serve_are_errors() {
    let options = TlsOptions {
        max_version: Some(version("VersionTLS11")),
        ..TlsOptions::default()
    };
    assert!(matches!(
        options.check(),
        Err(OptionsError::MaxVersionTooLow { .. })
    ));
    let options = TlsOptions {
        min_version: version("VersionTLS13"),
        max_version: Some(version("VersionTLS12")),
        ..TlsOptions::default()
    };
    let error = options.check().unwrap_err();
    assert_eq!(
        error.to_string(),
        "maxVersion VersionTLS12 is below minVersion VersionTLS13"
    );
}

#[tokio::test]
async fn cipher_suite_restriction_is_negotiated() {
    let (mut server, ca) = server_with(TlsOptions {
        max_version: Some(version("VersionTLS12")),
        // Go's short spelling.
        cipher_suites: vec!["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305".into()],
        ..TlsOptions::default()
    })
    .await;
    let (conn, info) = server.attempt(trusting(&ca).build(), "a.example.com").await;
    let conn = conn.unwrap();
    let suite = conn.get_ref().1.negotiated_cipher_suite().unwrap().suite();
    assert_eq!(
        suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
    );
    let info = info.unwrap();
    assert_eq!(Some(info.cipher_suite), suite.as_str());
    assert_eq!(
        cipher_suite_name(&info),
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
    );

    // A client offering only AES-GCM suites cannot connect.
    let aes_only = ClientSpec {
        suites: Some(vec![
            ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ]),
        ..trusting(&ca)
    };
    let (conn, _) = server.attempt(aes_only.build(), "a.example.com").await;
    assert!(conn.is_err());
}

#[tokio::test]
async fn tls13_cipher_suite_restriction_is_negotiated() {
    let (mut server, ca) = server_with(TlsOptions {
        cipher_suites: vec![
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into(),
            "TLS_CHACHA20_POLY1305_SHA256".into(),
        ],
        ..TlsOptions::default()
    })
    .await;
    let (_, info) = server.attempt(trusting(&ca).build(), "a.example.com").await;
    let info = info.unwrap();
    assert_eq!(info.cipher_suite, "TLS13_CHACHA20_POLY1305_SHA256");
    assert_eq!(cipher_suite_name(&info), "TLS_CHACHA20_POLY1305_SHA256");
    let tls12 = ClientSpec {
        tls12_only: true,
        ..trusting(&ca)
    };
    let (_, info) = server.attempt(tls12.build(), "a.example.com").await;
    assert_eq!(
        info.unwrap().cipher_suite,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    );
}

#[test]
fn cipher_suite_and_curve_names_are_checked() {
    let options = TlsOptions {
        cipher_suites: vec![
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into(),
            "TLS_RSA_WITH_AES_256_GCM_SHA384".into(),
        ],
        curve_preferences: vec!["CurveP521".into(), "secp256r1".into()],
        ..TlsOptions::default()
    };
    let warnings = options.check().unwrap();
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "cipher suite TLS_RSA_WITH_AES_256_GCM_SHA384 is not supported by rustls and is skipped",
            "curve CurveP521 is not supported by rustls and is skipped",
        ]
    );
    let options = TlsOptions {
        cipher_suites: vec![
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into(),
            "TLS_BOGUS".into(),
        ],
        ..TlsOptions::default()
    };
    let error = options.check().unwrap_err();
    assert!(matches!(
        &error,
        OptionsError::UnknownCipherSuite { index: 1, .. }
    ));
    assert_eq!(error.to_string(), "unknown cipher suite \"TLS_BOGUS\"");
    let options = TlsOptions {
        curve_preferences: vec!["P-256".into()],
        ..TlsOptions::default()
    };
    assert_eq!(
        options.check().unwrap_err().to_string(),
        "unknown curve \"P-256\""
    );
}

#[tokio::test]
async fn curve_preferences_choose_the_group() {
    let (mut server, ca) = server_with(TlsOptions {
        curve_preferences: vec!["CurveP384".into()],
        ..TlsOptions::default()
    })
    .await;
    for tls12 in [false, true] {
        let client = ClientSpec {
            tls12_only: tls12,
            ..trusting(&ca)
        };
        let (conn, _) = server.attempt(client.build(), "a.example.com").await;
        let conn = conn.unwrap();
        let group = conn.get_ref().1.negotiated_key_exchange_group().unwrap();
        assert_eq!(group.name(), NamedGroup::secp384r1, "tls12: {tls12}");
    }
}

#[tokio::test]
async fn alpn_chooses_h2_or_http11() {
    let (mut server, ca) = server_with(TlsOptions::default()).await;
    let cases: [(&[&'static str], Option<&[u8]>); 4] = [
        (&["h2", "http/1.1"], Some(b"h2")),
        (&["http/1.1", "h2"], Some(b"h2")),
        (&["http/1.1"], Some(b"http/1.1")),
        (&[], None),
    ];
    for (offered, chosen) in cases {
        let client = ClientSpec {
            alpn: offered.to_vec(),
            ..trusting(&ca)
        };
        let (conn, info) = server.attempt(client.build(), "a.example.com").await;
        assert_eq!(
            conn.unwrap().get_ref().1.alpn_protocol(),
            chosen,
            "{offered:?}"
        );
        let info = info.unwrap();
        assert_eq!(info.alpn.as_deref(), chosen, "{offered:?}");
    }
    // No protocol in common: refused.
    let client = ClientSpec {
        alpn: vec!["spdy/3"],
        ..trusting(&ca)
    };
    let (conn, _) = server.attempt(client.build(), "a.example.com").await;
    assert!(conn.is_err());
}

async fn resumes(server: &mut Server, client: ClientSpec<'_>) -> bool {
    let config = client.build();
    let (first, info) = server.attempt(config.clone(), "a.example.com").await;
    assert_eq!(
        first.unwrap().get_ref().1.handshake_kind(),
        Some(HandshakeKind::Full)
    );
    assert!(info.is_ok());
    let (second, info) = server.attempt(config, "a.example.com").await;
    assert!(info.is_ok());
    second.unwrap().get_ref().1.handshake_kind() == Some(HandshakeKind::Resumed)
}

#[tokio::test]
async fn sessions_resume_over_tls13_and_tls12() {
    let (mut server, ca) = server_with(TlsOptions::default()).await;
    assert!(resumes(&mut server, trusting(&ca)).await);
    let tls12 = ClientSpec {
        tls12_only: true,
        ..trusting(&ca)
    };
    assert!(resumes(&mut server, tls12).await);
}

#[tokio::test]
async fn disabled_tickets_keep_tls12_session_ids_only() {
    let (mut server, ca) = server_with(TlsOptions {
        disable_session_tickets: true,
        ..TlsOptions::default()
    })
    .await;
    assert!(!resumes(&mut server, trusting(&ca)).await);
    let tls12 = ClientSpec {
        tls12_only: true,
        ..trusting(&ca)
    };
    assert!(resumes(&mut server, tls12).await);
}

#[tokio::test]
async fn resumption_survives_a_publish_of_unchanged_options_only() {
    let ca = Ca::new("test ca");
    let leaf = ca.leaf(&["a.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(
        &registry,
        store(&[&leaf], None),
        TlsOptions::default(),
    ));
    let mut server = support::serve(registry.clone()).await;
    let client = trusting(&ca).build();
    let (conn, _) = server.attempt(client.clone(), "a.example.com").await;
    assert_eq!(
        conn.unwrap().get_ref().1.handshake_kind(),
        Some(HandshakeKind::Full)
    );

    registry.publish(snapshot(
        &registry,
        store(&[&leaf], None),
        TlsOptions::default(),
    ));
    let (conn, _) = server.attempt(client.clone(), "a.example.com").await;
    assert_eq!(
        conn.unwrap().get_ref().1.handshake_kind(),
        Some(HandshakeKind::Resumed)
    );

    // Changed options start afresh: no session crosses into different options.
    let changed = TlsOptions {
        curve_preferences: vec!["X25519".into()],
        ..TlsOptions::default()
    };
    registry.publish(snapshot(&registry, store(&[&leaf], None), changed));
    let (conn, _) = server.attempt(client, "a.example.com").await;
    assert_eq!(
        conn.unwrap().get_ref().1.handshake_kind(),
        Some(HandshakeKind::Full)
    );
}

/// A client session store that counts the TLS 1.3 tickets it is given.
#[derive(Debug)]
struct CountingStore {
    inner: rustls::client::ClientSessionMemoryCache,
    tickets: std::sync::atomic::AtomicUsize,
}

impl rustls::client::ClientSessionStore for CountingStore {
    fn set_kx_hint(&self, server_name: rustls_pki_types::ServerName<'static>, group: NamedGroup) {
        self.inner.set_kx_hint(server_name, group);
    }

    fn kx_hint(&self, server_name: &rustls_pki_types::ServerName<'_>) -> Option<NamedGroup> {
        self.inner.kx_hint(server_name)
    }

    fn set_tls12_session(
        &self,
        server_name: rustls_pki_types::ServerName<'static>,
        value: rustls::client::Tls12ClientSessionValue,
    ) {
        self.inner.set_tls12_session(server_name, value);
    }

    fn tls12_session(
        &self,
        server_name: &rustls_pki_types::ServerName<'_>,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.inner.tls12_session(server_name)
    }

    fn remove_tls12_session(&self, server_name: &rustls_pki_types::ServerName<'static>) {
        self.inner.remove_tls12_session(server_name);
    }

    fn insert_tls13_ticket(
        &self,
        server_name: rustls_pki_types::ServerName<'static>,
        value: rustls::client::Tls13ClientSessionValue,
    ) {
        self.tickets
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.insert_tls13_ticket(server_name, value);
    }

    fn take_tls13_ticket(
        &self,
        server_name: &rustls_pki_types::ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.inner.take_tls13_ticket(server_name)
    }
}

#[tokio::test]
async fn a_full_tls13_handshake_sends_one_ticket_as_traefik_does() {
    let (mut server, ca) = server_with(TlsOptions::default()).await;
    let store = Arc::new(CountingStore {
        inner: rustls::client::ClientSessionMemoryCache::new(8),
        tickets: std::sync::atomic::AtomicUsize::new(0),
    });
    let mut config = (*trusting(&ca).build()).clone();
    config.resumption = rustls::client::Resumption::store(store.clone());
    let (conn, _) = server.attempt(Arc::new(config), "a.example.com").await;
    assert_eq!(
        conn.unwrap().get_ref().1.protocol_version(),
        Some(ProtocolVersion::TLSv1_3)
    );
    assert_eq!(store.tickets.load(std::sync::atomic::Ordering::SeqCst), 1);
}
