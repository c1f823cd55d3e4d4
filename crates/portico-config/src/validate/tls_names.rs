//! Traefik's (Go's) names for TLS versions and cipher suites, to refuse names
//! Traefik would not know. Which of them rustls implements is the TLS layer's
//! business, not configuration's.

/// TLS versions, lowest first (`pkg/tls/tls.go` `MinVersion`).
const VERSIONS: [&str; 4] = [
    "VersionTLS10",
    "VersionTLS11",
    "VersionTLS12",
    "VersionTLS13",
];

/// Every cipher suite name Traefik accepts (`pkg/tls/cipher.go` `CipherSuites`).
const CIPHER_SUITES: &[&str] = &[
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
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_FALLBACK_SCSV",
];

/// A TLS version's canonical name and rank (0 for TLS 1.0), ASCII
/// case-insensitive.
pub(super) fn version(name: &str) -> Option<(usize, &'static str)> {
    let name = name.trim();
    VERSIONS
        .iter()
        .position(|v| v.eq_ignore_ascii_case(name))
        .map(|i| (i, VERSIONS[i]))
}

/// A cipher suite's canonical name, ASCII case-insensitive.
pub(super) fn cipher_suite(name: &str) -> Option<&'static str> {
    let name = name.trim();
    CIPHER_SUITES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(name))
        .copied()
}

/// The accepted version names, for messages.
pub(super) fn version_list() -> String {
    VERSIONS.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_case_insensitively_and_canonicalised() {
        assert_eq!(version("versiontls12"), Some((2, "VersionTLS12")));
        assert_eq!(version(" VersionTLS13 "), Some((3, "VersionTLS13")));
        assert_eq!(version("TLS1.2"), None);
        assert_eq!(
            cipher_suite("tls_aes_128_gcm_sha256"),
            Some("TLS_AES_128_GCM_SHA256")
        );
        assert_eq!(
            cipher_suite("TLS_RSA_WITH_RC4_128_SHA"),
            Some("TLS_RSA_WITH_RC4_128_SHA"),
            "known to Traefik even though rustls does not implement it"
        );
        assert_eq!(cipher_suite("foobar"), None);
    }
}
