//! Loading certificates and keys of every supported kind and encoding, from files
//! and inline, and serving each in a handshake.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::{path::Path, sync::Arc};

use portico_tls::{CertError, CertStore, Certificate, PemSource, TlsOptions, TlsRegistry};
use rcgen::{
    KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519, PKCS_RSA_SHA256,
};
use rsa::{
    pkcs1::{EncodeRsaPrivateKey, LineEnding},
    pkcs8::EncodePrivateKey,
};
use support::{Ca, snapshot, trusting};

/// A PKCS#8 EC key rewritten as SEC1 (`EC PRIVATE KEY`, with the curve named), as
/// `openssl ecparam -genkey` writes it.
fn sec1_pem(pkcs8_der: &[u8]) -> String {
    let info = rsa::pkcs8::PrivateKeyInfo::try_from(pkcs8_der).unwrap();
    let curve = info.algorithm.parameters_oid().unwrap();
    let mut key = sec1::EcPrivateKey::try_from(info.private_key).unwrap();
    key.parameters = Some(sec1::EcParameters::NamedCurve(curve));
    let doc = sec1::der::SecretDocument::try_from(&key).unwrap();
    doc.to_pem("EC PRIVATE KEY", LineEnding::LF)
        .unwrap()
        .to_string()
}

/// A 2048-bit RSA key as PKCS#1 and PKCS#8 PEM (ring cannot generate RSA keys).
fn rsa_pems() -> (String, String) {
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let pkcs1 = key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string();
    let pkcs8 = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    (pkcs1, pkcs8)
}

/// (label, certificate PEM, key PEM) for every kind and encoding.
fn every_kind(ca: &Ca) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let (rsa1, rsa8) = rsa_pems();
    let rsa_key = KeyPair::from_pkcs8_pem_and_sign_algo(&rsa8, &PKCS_RSA_SHA256).unwrap();
    let leaf = ca.leaf_with_key(&["a.example.com"], rsa_key);
    out.push(("rsa pkcs1", leaf.cert_pem.clone(), rsa1));
    out.push(("rsa pkcs8", leaf.cert_pem, rsa8));
    for (label, alg) in [
        ("p256", &PKCS_ECDSA_P256_SHA256),
        ("p384", &PKCS_ECDSA_P384_SHA384),
    ] {
        let key = KeyPair::generate_for(alg).unwrap();
        let sec1 = sec1_pem(&key.serialize_der());
        let leaf = ca.leaf_with_key(&["a.example.com"], key);
        assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"));
        assert!(leaf.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        out.push((
            if label == "p256" {
                "p256 sec1"
            } else {
                "p384 sec1"
            },
            leaf.cert_pem.clone(),
            sec1,
        ));
        out.push((
            if label == "p256" {
                "p256 pkcs8"
            } else {
                "p384 pkcs8"
            },
            leaf.cert_pem,
            leaf.key_pem,
        ));
    }
    let leaf = ca.leaf_with_key(
        &["a.example.com"],
        KeyPair::generate_for(&PKCS_ED25519).unwrap(),
    );
    out.push(("ed25519 pkcs8", leaf.cert_pem, leaf.key_pem));
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PemSource {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    PemSource::from_traefik(path.to_str().unwrap())
}

#[tokio::test]
async fn every_key_kind_loads_from_files_and_inline_and_serves() {
    let ca = Ca::new("test ca");
    let dir = tempfile::tempdir().unwrap();
    for (label, cert_pem, key_pem) in every_kind(&ca) {
        let file = label.replace(' ', "-");
        let cert_file = write(dir.path(), &format!("{file}.crt"), &cert_pem);
        let key_file = write(dir.path(), &format!("{file}.key"), &key_pem);
        assert!(matches!(cert_file, PemSource::File(_)));
        let from_files =
            Certificate::load(&cert_file, &key_file).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(from_files.names(), ["a.example.com"], "{label}");

        let inline_cert = PemSource::from_traefik(&cert_pem);
        let inline_key = PemSource::from_traefik(&key_pem);
        assert!(matches!(inline_key, PemSource::Inline(_)));
        let inline =
            Certificate::load(&inline_cert, &inline_key).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(inline.chain(), from_files.chain());

        // Served in a real handshake, over TLS 1.3 and TLS 1.2.
        let registry = Arc::new(TlsRegistry::new());
        let mut store = CertStore::builder();
        store.add(from_files);
        registry.publish(snapshot(&registry, store.build(), TlsOptions::default()));
        let mut server = support::serve(registry).await;
        for tls12 in [false, true] {
            let client = support::ClientSpec {
                tls12_only: tls12,
                ..trusting(&ca)
            };
            let (conn, info) = server.attempt(client.build(), "a.example.com").await;
            assert!(conn.is_ok(), "{label} (tls12: {tls12}): {:?}", conn.err());
            assert!(info.is_ok(), "{label}");
        }
    }
}

#[test]
fn a_mismatched_pair_is_refused_naming_the_files() {
    let ca = Ca::new("test ca");
    let one = ca.leaf(&["a.example.com"]);
    let other = ca.leaf(&["a.example.com"]);
    let dir = tempfile::tempdir().unwrap();
    let cert = write(dir.path(), "a.crt", &one.cert_pem);
    let key = write(dir.path(), "other.key", &other.key_pem);
    let error = Certificate::load(&cert, &key).unwrap_err();
    assert!(matches!(error, CertError::KeyMismatch { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("other.key") && text.contains("a.crt"),
        "{text}"
    );
    assert!(!text.contains("PRIVATE"), "{text}");

    // Inline: named as inline PEM, never printed.
    let error = Certificate::from_pem(&one.cert_pem, &other.key_pem).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the private key in inline PEM does not match the certificate in inline PEM"
    );
    assert!(!format!("{error:?}").contains("PRIVATE"));
}

#[test]
fn unreadable_or_empty_files_are_named() {
    let ca = Ca::new("test ca");
    let leaf = ca.leaf(&["a.example.com"]);
    let dir = tempfile::tempdir().unwrap();
    let cert = write(dir.path(), "a.crt", &leaf.cert_pem);
    let missing = PemSource::from_traefik(dir.path().join("missing.key").to_str().unwrap());
    let error = Certificate::load(&cert, &missing).unwrap_err();
    assert!(matches!(error, CertError::Read { .. }));
    assert!(error.to_string().ends_with("missing.key"), "{error}");

    // The certificate file given as the key: no key in it.
    let error = Certificate::load(&cert, &cert).unwrap_err();
    assert!(matches!(error, CertError::NoKey { .. }), "{error:?}");
    assert!(error.to_string().contains("a.crt"));

    let key = write(dir.path(), "a.key", &leaf.key_pem);
    let error = Certificate::load(&key, &key).unwrap_err();
    assert!(
        matches!(error, CertError::NoCertificate { .. }),
        "{error:?}"
    );
    assert!(error.to_string().ends_with("a.key"));
}

#[test]
fn a_chain_is_kept_leaf_first() {
    let ca = Ca::new("test ca");
    let leaf = ca.leaf(&["a.example.com"]);
    let chain = format!("{}{}", leaf.cert_pem, ca.pem());
    let cert = Certificate::from_pem(&chain, &leaf.key_pem).unwrap();
    assert_eq!(cert.chain(), [leaf.der.clone(), ca.der()]);
    assert_eq!(cert.names(), ["a.example.com"]);
}
