use super::*;

fn self_signed(names: &[&str]) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .unwrap();
    params.not_after = rcgen::date_time_ymd(2041, 6, 1);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

#[test]
fn pem_or_path_as_traefik_reads_it() {
    assert_eq!(
        PemSource::from_traefik("/etc/certs/a.crt"),
        PemSource::File("/etc/certs/a.crt".into())
    );
    let (_, key) = self_signed(&["a.example.com"]);
    let inline = PemSource::from_traefik(&key);
    assert!(matches!(inline, PemSource::Inline(_)));
    assert_eq!(inline.path(), None);
    // Inline content never shows.
    assert_eq!(inline.to_string(), "inline PEM");
    assert_eq!(format!("{inline:?}"), "Inline(..)");
    assert_eq!(PemSource::from_traefik("a.crt").to_string(), "a.crt");
}

#[test]
fn names_are_normalized_and_ip_sans_ignored() {
    let (cert, key) = self_signed(&[
        "A.Example.COM",
        "*.Example.com",
        "192.0.2.1",
        "a.example.com",
    ]);
    let cert = Certificate::from_pem(&cert, &key).unwrap();
    assert_eq!(cert.names(), ["a.example.com", "*.example.com"]);
    // 2041-06-01T00:00:00Z
    assert_eq!(cert.not_after(), 2_253_657_600);
    let debug = format!("{cert:?}");
    assert!(
        debug.contains("a.example.com") && !debug.contains("key"),
        "{debug}"
    );
}

#[test]
fn garbage_is_not_a_certificate() {
    let (_, key) = self_signed(&["a.example.com"]);
    let error = Certificate::from_pem("not pem at all", &key).unwrap_err();
    assert!(
        matches!(error, CertError::NoCertificate { .. }),
        "{error:?}"
    );
    let bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let error = Certificate::from_pem(bad, &key).unwrap_err();
    assert!(
        matches!(error, CertError::InvalidCertificate { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "cannot parse the certificate in inline PEM"
    );
}

#[test]
fn unsupported_keys_are_refused() {
    let (cert, _) = self_signed(&["a.example.com"]);
    // A PKCS#8 block *ring* cannot make a key of.
    let junk = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    let error = Certificate::from_pem(&cert, junk).unwrap_err();
    assert!(
        matches!(error, CertError::UnsupportedKey { .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "unsupported private key in inline PEM");
    let encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let error = Certificate::from_pem(&cert, encrypted).unwrap_err();
    assert!(matches!(error, CertError::NoKey { .. }), "{error:?}");
}
