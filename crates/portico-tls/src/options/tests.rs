use super::*;

fn suites(options: &TlsOptions) -> Vec<rustls::CipherSuite> {
    options
        .resolve()
        .unwrap()
        .provider
        .cipher_suites
        .iter()
        .map(|s| s.suite())
        .collect()
}

#[test]
fn traefik_defaults() {
    let options = TlsOptions::default();
    assert_eq!(options.min_version, TlsVersion::Tls12);
    assert_eq!(options.max_version, None);
    assert_eq!(options.alpn_protocols, ["h2", "http/1.1"]);
    assert!(!options.sni_strict && !options.disable_session_tickets);
    assert_eq!(
        options.client_auth.effective_kind(),
        ClientAuthType::NoClientCert
    );
    let resolved = options.resolve().unwrap();
    assert_eq!(resolved.versions.len(), 2);
    assert!(resolved.warnings.is_empty());
    assert_eq!(
        resolved.provider.cipher_suites.len(),
        ring::DEFAULT_CIPHER_SUITES.len()
    );
}

#[test]
fn versions_parse_by_traefik_name() {
    assert_eq!(
        "VersionTLS13".parse::<TlsVersion>().unwrap(),
        TlsVersion::Tls13
    );
    assert_eq!(
        "versiontls11".parse::<TlsVersion>().unwrap(),
        TlsVersion::Tls11
    );
    let error = "TLS1.2".parse::<TlsVersion>().unwrap_err();
    assert_eq!(error.to_string(), "unknown TLS version \"TLS1.2\"");
    assert_eq!(TlsVersion::Tls12.to_string(), "VersionTLS12");
}

#[test]
fn client_auth_types_parse_by_traefik_name() {
    for kind in [
        ClientAuthType::NoClientCert,
        ClientAuthType::RequestClientCert,
        ClientAuthType::RequireAnyClientCert,
        ClientAuthType::VerifyClientCertIfGiven,
        ClientAuthType::RequireAndVerifyClientCert,
    ] {
        assert_eq!(kind.as_str().parse::<ClientAuthType>().unwrap(), kind);
    }
    let error = "RequireCert".parse::<ClientAuthType>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown client auth type \"RequireCert\""
    );
    assert!(ClientAuthType::VerifyClientCertIfGiven.verifies());
    assert!(!ClientAuthType::RequireAnyClientCert.verifies());
}

#[test]
fn version_ranges() {
    let only13 = TlsOptions {
        min_version: TlsVersion::Tls13,
        ..TlsOptions::default()
    };
    let versions = only13.resolve().unwrap().versions;
    assert_eq!(versions, [&rustls::version::TLS13]);
    let only12 = TlsOptions {
        max_version: Some(TlsVersion::Tls12),
        ..TlsOptions::default()
    };
    assert_eq!(
        only12.resolve().unwrap().versions,
        [&rustls::version::TLS12]
    );
    let raised = TlsOptions {
        min_version: TlsVersion::Tls11,
        ..TlsOptions::default()
    };
    assert_eq!(
        raised.check().unwrap(),
        [OptionsWarning::MinVersionRaised {
            min: TlsVersion::Tls11
        }]
    );
}

#[test]
fn listed_tls12_suites_keep_every_tls13_suite() {
    let options = TlsOptions {
        cipher_suites: vec![
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into(),
        ],
        ..TlsOptions::default()
    };
    let got = suites(&options);
    let tls13 = got
        .iter()
        .filter(|s| format!("{s:?}").starts_with("TLS13"))
        .count();
    assert_eq!(tls13, 3);
    assert_eq!(
        got[3..],
        [
            rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ]
    );
}

#[test]
fn suites_that_leave_a_version_empty() {
    let only13 = TlsOptions {
        cipher_suites: vec!["TLS_AES_128_GCM_SHA256".into()],
        ..TlsOptions::default()
    };
    assert_eq!(
        only13.check().unwrap(),
        [OptionsWarning::NoTls12CipherSuite]
    );
    assert_eq!(
        suites(&only13),
        [rustls::CipherSuite::TLS13_AES_128_GCM_SHA256]
    );
    let tls12_without_suites = TlsOptions {
        max_version: Some(TlsVersion::Tls12),
        ..only13
    };
    assert!(matches!(
        tls12_without_suites.check(),
        Err(OptionsError::NoCipherSuite)
    ));
    let unsupported_only = TlsOptions {
        max_version: Some(TlsVersion::Tls12),
        cipher_suites: vec!["TLS_RSA_WITH_AES_128_CBC_SHA".into()],
        ..TlsOptions::default()
    };
    assert!(matches!(
        unsupported_only.check(),
        Err(OptionsError::NoCipherSuite)
    ));
}

#[test]
fn curves_in_preference_order() {
    let options = TlsOptions {
        curve_preferences: vec!["CurveP384".into(), "x25519".into(), "X25519".into()],
        ..TlsOptions::default()
    };
    let groups: Vec<_> = options
        .resolve()
        .unwrap()
        .provider
        .kx_groups
        .iter()
        .map(|g| g.name())
        .collect();
    assert_eq!(
        groups,
        [rustls::NamedGroup::secp384r1, rustls::NamedGroup::X25519]
    );
    let none = TlsOptions {
        curve_preferences: vec!["CurveP521".into()],
        ..TlsOptions::default()
    };
    assert!(matches!(none.check(), Err(OptionsError::NoCurve)));
}

#[test]
fn roots_are_loaded_only_when_verifying() {
    let request = ClientAuth {
        ca_files: vec![PemSource::File("/nonexistent".into())],
        kind: Some(ClientAuthType::RequestClientCert),
    };
    assert!(request.load_roots().unwrap().is_empty());
    let verify = ClientAuth {
        kind: Some(ClientAuthType::VerifyClientCertIfGiven),
        ..request
    };
    assert!(matches!(
        verify.load_roots(),
        Err(OptionsError::ClientCa { .. })
    ));
    let not_a_ca = ClientAuth {
        ca_files: vec![PemSource::Inline(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into(),
        )],
        kind: None,
    };
    let error = not_a_ca.load_roots().unwrap_err();
    assert_eq!(error.to_string(), "no valid CA certificate in inline PEM");
}
