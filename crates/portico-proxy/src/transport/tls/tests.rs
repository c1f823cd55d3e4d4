//! Building client configurations from settings.

use rustls::{CipherSuite, crypto::ring::cipher_suite};

use super::*;

#[test]
fn versions_are_bounded() {
    let v = |min, max| {
        versions(min, max)
            .map(|vs| vs.iter().map(|v| v.version).collect::<Vec<_>>())
            .map_err(|e| e.to_string())
    };
    let both = Ok(vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2]);
    assert_eq!(v(None, None), both);
    assert_eq!(v(Some(ProtocolVersion::TLSv1_0), None), both);
    assert_eq!(
        v(Some(ProtocolVersion::TLSv1_3), None),
        Ok(vec![ProtocolVersion::TLSv1_3])
    );
    assert_eq!(
        v(None, Some(ProtocolVersion::TLSv1_2)),
        Ok(vec![ProtocolVersion::TLSv1_2])
    );
    let err = v(
        Some(ProtocolVersion::TLSv1_3),
        Some(ProtocolVersion::TLSv1_2),
    )
    .unwrap_err();
    assert!(err.contains("TLSv1_3") && err.contains("TLSv1_2"), "{err}");
    assert!(v(None, Some(ProtocolVersion::TLSv1_1)).is_err());
}

#[test]
fn cipher_suites_narrow_tls12_and_keep_tls13_defaults() {
    let p = provider(&[cipher_suite::TLS13_AES_128_GCM_SHA256]).unwrap();
    let ids: Vec<_> = p.cipher_suites.iter().map(|s| s.suite()).collect();
    assert_eq!(ids, vec![CipherSuite::TLS13_AES_128_GCM_SHA256]);

    let p = provider(&[cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]).unwrap();
    let tls12: Vec<_> = p
        .cipher_suites
        .iter()
        .filter(|s| s.tls13().is_none())
        .map(|s| s.suite())
        .collect();
    assert_eq!(
        tls12,
        vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
    );
    let tls13 = p
        .cipher_suites
        .iter()
        .filter(|s| s.tls13().is_some())
        .count();
    assert_eq!(
        tls13,
        ring::default_provider()
            .cipher_suites
            .iter()
            .filter(|s| s.tls13().is_some())
            .count()
    );
    assert!(provider(&[]).unwrap().cipher_suites.len() > 3);
}

#[test]
fn bad_material_is_named() {
    let bad_name = TransportSettings {
        server_name: Some("not a name!".into()),
        ..TransportSettings::default()
    };
    let err = client_configs(&bad_name).err().unwrap();
    assert_eq!(err.to_string(), "invalid server name \"not a name!\"");

    let bad_root = TransportSettings {
        root_certificates: vec![vec![1, 2, 3].into()],
        ..TransportSettings::default()
    };
    let err = client_configs(&bad_root).err().unwrap();
    assert!(
        matches!(err, TransportError::RootCertificate { index: 0, .. }),
        "{err}"
    );

    let bad_key = TransportSettings {
        client_certificate: Some((
            vec![vec![0x30, 0].into()],
            rustls_pki_types::PrivateKeyDer::Pkcs8(vec![0x30, 0x01, 0x02].into()),
        )),
        ..TransportSettings::default()
    };
    let err = client_configs(&bad_key).err().unwrap();
    assert_eq!(err.to_string(), "invalid client certificate or key");
    assert!(!format!("{err:?}").contains("[48, 1, 2]"), "{err:?}");

    let empty_chain = TransportSettings {
        client_certificate: Some((
            Vec::new(),
            rustls_pki_types::PrivateKeyDer::Pkcs8(vec![0x30].into()),
        )),
        ..TransportSettings::default()
    };
    assert!(matches!(
        client_configs(&empty_chain).err().unwrap(),
        TransportError::EmptyClientCertificate
    ));

    let empty_san = TransportSettings {
        peer_cert_sans: vec![" ".into()],
        ..TransportSettings::default()
    };
    assert!(matches!(
        client_configs(&empty_san).err().unwrap(),
        TransportError::EmptyPeerCertSan
    ));
}

#[test]
fn alpn_offers_h2_unless_disabled() {
    let parts = client_configs(&TransportSettings::default()).unwrap();
    assert_eq!(
        parts.alpn.alpn_protocols,
        vec![H2.to_vec(), HTTP_11.to_vec()]
    );
    assert_eq!(parts.http1_only.alpn_protocols, vec![HTTP_11.to_vec()]);
    let parts = client_configs(&TransportSettings {
        disable_http2: true,
        ..TransportSettings::default()
    })
    .unwrap();
    assert_eq!(parts.alpn.alpn_protocols, vec![HTTP_11.to_vec()]);
}
