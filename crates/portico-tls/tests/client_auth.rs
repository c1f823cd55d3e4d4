//! The five client authentication types, each with no client certificate, one from
//! the configured CA and one from an unknown CA, over TLS 1.3 and TLS 1.2.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::sync::Arc;

use portico_tls::{
    ClientAuth, ClientAuthType, OptionsError, PemSource, SnapshotError, TlsOptions, TlsRegistry,
};
use support::{Ca, ClientSpec, Leaf, snapshot, store, trusting};

/// What the handshake does for: no certificate, a trusted one, an unknown CA's.
struct Expect {
    kind: ClientAuthType,
    none: bool,
    trusted: bool,
    unknown: bool,
}

const MATRIX: &[Expect] = &[
    Expect {
        kind: ClientAuthType::NoClientCert,
        none: true,
        trusted: true,
        unknown: true,
    },
    Expect {
        kind: ClientAuthType::RequestClientCert,
        none: true,
        trusted: true,
        unknown: true,
    },
    Expect {
        kind: ClientAuthType::RequireAnyClientCert,
        none: false,
        trusted: true,
        unknown: true,
    },
    Expect {
        kind: ClientAuthType::VerifyClientCertIfGiven,
        none: true,
        trusted: true,
        unknown: false,
    },
    Expect {
        kind: ClientAuthType::RequireAndVerifyClientCert,
        none: false,
        trusted: true,
        unknown: false,
    },
];

async fn run_matrix(tls12: bool) {
    let server_ca = Ca::new("server ca");
    let client_ca = Ca::new("client ca");
    let other_ca = Ca::new("other ca");
    let leaf = server_ca.leaf(&["a.example.com"]);
    let trusted = client_ca.client("alice");
    let unknown = other_ca.client("mallory");

    for expect in MATRIX {
        let registry = Arc::new(TlsRegistry::new());
        let options = TlsOptions {
            client_auth: ClientAuth {
                ca_files: vec![PemSource::from_traefik(&client_ca.pem())],
                kind: Some(expect.kind),
            },
            ..TlsOptions::default()
        };
        registry.publish(snapshot(&registry, store(&[&leaf], None), options));
        let mut server = support::serve(registry).await;
        let cases: [(&str, Option<&Leaf>, bool); 3] = [
            ("none", None, expect.none),
            ("trusted", Some(&trusted), expect.trusted),
            ("unknown", Some(&unknown), expect.unknown),
        ];
        for (case, cert, accepted) in cases {
            let client = ClientSpec {
                client_cert: cert,
                tls12_only: tls12,
                ..trusting(&server_ca)
            }
            .build();
            let (conn, info) = server.attempt(client, "a.example.com").await;
            let what = format!(
                "{:?} with {case} client certificate (tls12: {tls12})",
                expect.kind
            );
            assert_eq!(
                conn.is_ok(),
                accepted,
                "client side: {what}: {:?}",
                conn.err()
            );
            assert_eq!(
                info.is_ok(),
                accepted,
                "server side: {what}: {:?}",
                info.as_ref().err()
            );
            if let Ok(info) = info {
                let asked = expect.kind != ClientAuthType::NoClientCert;
                let expected: Vec<_> = match cert {
                    Some(leaf) if asked => vec![leaf.der.to_vec()],
                    _ => Vec::new(),
                };
                assert_eq!(info.peer_certificates, expected, "{what}");
            }
        }
    }
}

#[tokio::test]
async fn every_client_auth_type_over_tls13() {
    run_matrix(false).await;
}

#[tokio::test]
async fn every_client_auth_type_over_tls12() {
    run_matrix(true).await;
}

#[tokio::test]
async fn unverified_types_still_check_that_the_client_holds_the_key() {
    let server_ca = Ca::new("server ca");
    let client_ca = Ca::new("client ca");
    let leaf = server_ca.leaf(&["a.example.com"]);
    let alice = client_ca.client("alice");
    let mallory = client_ca.client("mallory");
    for kind in [
        ClientAuthType::RequestClientCert,
        ClientAuthType::RequireAnyClientCert,
    ] {
        let registry = Arc::new(TlsRegistry::new());
        let options = TlsOptions {
            client_auth: ClientAuth {
                ca_files: Vec::new(),
                kind: Some(kind),
            },
            ..TlsOptions::default()
        };
        registry.publish(snapshot(&registry, store(&[&leaf], None), options));
        let mut server = support::serve(registry).await;
        for tls12 in [false, true] {
            // Alice's certificate, signed with Mallory's key.
            let client = ClientSpec {
                forged_client_cert: Some((&alice, &mallory)),
                tls12_only: tls12,
                ..trusting(&server_ca)
            }
            .build();
            let (conn, info) = server.attempt(client, "a.example.com").await;
            assert!(conn.is_err(), "{kind:?} (tls12: {tls12})");
            assert!(info.is_err(), "{kind:?} (tls12: {tls12})");
            // The genuine pair passes.
            let client = ClientSpec {
                forged_client_cert: Some((&alice, &alice)),
                tls12_only: tls12,
                ..trusting(&server_ca)
            }
            .build();
            let (conn, _) = server.attempt(client, "a.example.com").await;
            assert!(conn.is_ok(), "{kind:?} (tls12: {tls12})");
        }
    }
}

#[tokio::test]
async fn ca_files_alone_mean_require_and_verify() {
    let server_ca = Ca::new("server ca");
    let client_ca = Ca::new("client ca");
    let leaf = server_ca.leaf(&["a.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    let options = TlsOptions {
        client_auth: ClientAuth {
            ca_files: vec![PemSource::from_traefik(&client_ca.pem())],
            kind: None,
        },
        ..TlsOptions::default()
    };
    assert_eq!(
        options.client_auth.effective_kind(),
        ClientAuthType::RequireAndVerifyClientCert
    );
    registry.publish(snapshot(&registry, store(&[&leaf], None), options));
    let mut server = support::serve(registry).await;
    let (conn, _) = server
        .attempt(trusting(&server_ca).build(), "a.example.com")
        .await;
    assert!(conn.is_err());
    let alice = client_ca.client("alice");
    let client = ClientSpec {
        client_cert: Some(&alice),
        ..trusting(&server_ca)
    }
    .build();
    let (conn, _) = server.attempt(client, "a.example.com").await;
    assert!(conn.is_ok());
}

#[tokio::test]
async fn ca_files_from_a_file_with_several_cas() {
    let server_ca = Ca::new("server ca");
    let (ca1, ca2) = (Ca::new("client ca 1"), Ca::new("client ca 2"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clientca.crt");
    std::fs::write(&path, format!("{}{}", ca1.pem(), ca2.pem())).unwrap();
    let leaf = server_ca.leaf(&["a.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    let options = TlsOptions {
        client_auth: ClientAuth {
            ca_files: vec![PemSource::from_traefik(path.to_str().unwrap())],
            kind: Some(ClientAuthType::RequireAndVerifyClientCert),
        },
        ..TlsOptions::default()
    };
    registry.publish(snapshot(&registry, store(&[&leaf], None), options));
    let mut server = support::serve(registry).await;
    for ca in [&ca1, &ca2] {
        let client_cert = ca.client("bob");
        let client = ClientSpec {
            client_cert: Some(&client_cert),
            ..trusting(&server_ca)
        }
        .build();
        let (conn, _) = server.attempt(client, "a.example.com").await;
        assert!(conn.is_ok());
    }
}

#[test]
fn verifying_types_need_ca_files() {
    for kind in [
        ClientAuthType::VerifyClientCertIfGiven,
        ClientAuthType::RequireAndVerifyClientCert,
    ] {
        let registry = TlsRegistry::new();
        let mut builder = registry.builder();
        builder.options(
            "mtls",
            TlsOptions {
                client_auth: ClientAuth {
                    ca_files: Vec::new(),
                    kind: Some(kind),
                },
                ..TlsOptions::default()
            },
        );
        let (snapshot, errors) = builder.build();
        assert!(snapshot.server_config("mtls").is_none());
        assert!(snapshot.server_config("default").is_some());
        let [SnapshotError::Options { name, source }] = errors.as_slice() else {
            panic!("{errors:?}")
        };
        assert_eq!(&**name, "mtls");
        assert!(matches!(source, OptionsError::MissingClientCa { kind: k } if *k == kind));
        assert_eq!(
            source.to_string(),
            format!("clientAuthType {kind} needs caFiles")
        );
    }
}

#[test]
fn unreadable_ca_files_are_named() {
    let registry = TlsRegistry::new();
    let mut builder = registry.builder();
    builder.options(
        "default",
        TlsOptions {
            client_auth: ClientAuth {
                ca_files: vec![PemSource::from_traefik("/nonexistent/clientca.crt")],
                kind: Some(ClientAuthType::RequireAndVerifyClientCert),
            },
            ..TlsOptions::default()
        },
    );
    let (snapshot, errors) = builder.build();
    // The default options failed: handshakes that select them are refused.
    assert!(snapshot.select(None).1.is_none());
    let [SnapshotError::Options { source, .. }] = errors.as_slice() else {
        panic!("{errors:?}")
    };
    let OptionsError::ClientCa { source } = source else {
        panic!("{source:?}")
    };
    assert_eq!(source.to_string(), "cannot read /nonexistent/clientca.crt");
}
