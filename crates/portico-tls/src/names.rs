//! Traefik's (Go's) names for cipher suites and curves, mapped to rustls.

use rustls::{
    SupportedCipherSuite,
    crypto::{
        SupportedKxGroup,
        ring::{cipher_suite as cs, kx_group},
    },
};

/// What a name means to Portico.
#[derive(Debug)]
pub(crate) enum Lookup<T> {
    /// rustls with *ring* implements it.
    Supported(T),
    /// Traefik knows it but rustls does not implement it (CBC, RC4, 3DES, static
    /// RSA key exchange, P-521, post-quantum hybrids): skipped with a warning.
    Unsupported,
    /// Not a name Traefik knows.
    Unknown,
}

/// Cipher suites rustls implements, under Go's names (and Go's short ChaCha20
/// spelling), TLS 1.2 then TLS 1.3.
const SUITES: &[(&str, SupportedCipherSuite)] = &[
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    ("TLS_AES_128_GCM_SHA256", cs::TLS13_AES_128_GCM_SHA256),
    ("TLS_AES_256_GCM_SHA384", cs::TLS13_AES_256_GCM_SHA384),
    (
        "TLS_CHACHA20_POLY1305_SHA256",
        cs::TLS13_CHACHA20_POLY1305_SHA256,
    ),
];

/// Go's cipher suite names (Traefik's `pkg/tls/cipher.go`) that rustls does not
/// implement.
const UNSUPPORTED_SUITES: &[&str] = &[
    "TLS_RSA_WITH_RC4_128_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_FALLBACK_SCSV",
];

/// Curves rustls with *ring* implements, under Go's and the RFC's names.
const CURVES: &[(&str, &dyn SupportedKxGroup)] = &[
    ("CurveP256", kx_group::SECP256R1),
    ("secp256r1", kx_group::SECP256R1),
    ("CurveP384", kx_group::SECP384R1),
    ("secp384r1", kx_group::SECP384R1),
    ("X25519", kx_group::X25519),
    ("x25519", kx_group::X25519),
];

/// Curve names Traefik knows that *ring* does not implement.
const UNSUPPORTED_CURVES: &[&str] = &["CurveP521", "secp521r1", "X25519MLKEM768"];

/// A cipher suite by Traefik's name (ASCII case-insensitive).
pub(crate) fn cipher_suite(name: &str) -> Lookup<SupportedCipherSuite> {
    let name = name.trim();
    if let Some((_, suite)) = SUITES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Lookup::Supported(*suite);
    }
    if UNSUPPORTED_SUITES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
    {
        return Lookup::Unsupported;
    }
    Lookup::Unknown
}

/// A key exchange group by Traefik's curve name (ASCII case-insensitive).
pub(crate) fn curve(name: &str) -> Lookup<&'static dyn SupportedKxGroup> {
    let name = name.trim();
    if let Some((_, group)) = CURVES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Lookup::Supported(*group);
    }
    if UNSUPPORTED_CURVES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
    {
        return Lookup::Unsupported;
    }
    Lookup::Unknown
}

/// Go's name of a negotiated suite (what Traefik's access log calls `TLSCipher`),
/// from its rustls name (`TLS13_AES_128_GCM_SHA256`).
pub(crate) fn go_suite_name(rustls_name: &str) -> &'static str {
    SUITES
        .iter()
        .find(|(_, s)| s.suite().as_str() == Some(rustls_name))
        .map_or("unknown", |(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::CipherSuite;

    #[test]
    fn names_map_to_rustls() {
        let Lookup::Supported(s) = cipher_suite("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305") else {
            panic!("go's short chacha name")
        };
        assert_eq!(
            s.suite(),
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        );
        let Lookup::Supported(s) = cipher_suite("tls_aes_256_gcm_sha384") else {
            panic!("case-insensitive")
        };
        assert_eq!(s.suite(), CipherSuite::TLS13_AES_256_GCM_SHA384);
        assert!(matches!(
            cipher_suite("TLS_RSA_WITH_AES_256_GCM_SHA384"),
            Lookup::Unsupported
        ));
        assert!(matches!(cipher_suite("TLS_NOPE"), Lookup::Unknown));
        let Lookup::Supported(g) = curve("secp384r1") else {
            panic!("rfc name")
        };
        assert_eq!(g.name(), rustls::NamedGroup::secp384r1);
        assert!(matches!(curve("CurveP521"), Lookup::Unsupported));
        assert!(matches!(curve("P-256"), Lookup::Unknown));
        assert_eq!(
            go_suite_name("TLS13_AES_128_GCM_SHA256"),
            "TLS_AES_128_GCM_SHA256"
        );
        assert_eq!(
            go_suite_name("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        );
        assert_eq!(go_suite_name("TLS_NOPE"), "unknown");
    }

    #[test]
    fn every_ring_suite_has_a_name() {
        for suite in rustls::crypto::ring::ALL_CIPHER_SUITES {
            let name = suite.suite().as_str().unwrap();
            assert_ne!(go_suite_name(name), "unknown", "{name}");
        }
    }
}
