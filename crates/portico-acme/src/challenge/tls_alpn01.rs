//! TLS-ALPN-01 (RFC 8737): during a handshake offering ALPN `acme-tls/1`, present a
//! self-signed certificate for the domain carrying the `acmeIdentifier` extension.
//!
//! [`TlsAlpnCertificates`] holds the challenge certificates by domain; the TLS
//! acceptor checks [`offers_acme_tls`] on the ClientHello and, when true, answers
//! with [`TlsAlpnCertificates::get`] for the SNI name. [`TlsAlpnResolver`] does both as
//! a rustls certificate resolver wrapping the normal one. The server's
//! `alpn_protocols` must include [`ACME_TLS_ALPN`].
//!
//! # Example
//!
//! ```
//! use portico_acme::challenge::tls_alpn01::TlsAlpnCertificates;
//!
//! let certs = TlsAlpnCertificates::default();
//! certs.insert("example.com", &[7u8; 32]).unwrap();
//! assert!(certs.get("EXAMPLE.com").is_some());
//! certs.remove("example.com");
//! assert!(certs.get("example.com").is_none());
//! ```

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, RwLock},
};

use rcgen::{CertificateParams, CustomExtension, KeyPair};
use rustls::{
    server::{ClientHello, ResolvesServerCert},
    sign::CertifiedKey,
};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The ALPN protocol of TLS-ALPN-01 challenges.
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// Why a challenge certificate could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsAlpnError {
    /// rcgen refused the parameters.
    #[error("building the acme-tls/1 certificate for {domain} failed")]
    Build {
        /// The domain.
        domain: String,
        /// The cause.
        #[source]
        source: rcgen::Error,
    },
    /// rustls refused the key.
    #[error("loading the acme-tls/1 key for {domain} failed")]
    Key {
        /// The domain.
        domain: String,
        /// The cause.
        #[source]
        source: rustls::Error,
    },
}

/// Pending TLS-ALPN-01 challenge certificates, by lower-case domain.
#[derive(Clone, Default)]
pub struct TlsAlpnCertificates {
    inner: Arc<RwLock<HashMap<String, Arc<CertifiedKey>>>>,
}

/// A rustls resolver answering `acme-tls/1` handshakes from a [`TlsAlpnCertificates`]
/// and every other handshake from `fallback`.
#[derive(Debug)]
pub struct TlsAlpnResolver {
    certs: TlsAlpnCertificates,
    fallback: Arc<dyn ResolvesServerCert>,
}

/// Whether the ClientHello offers ALPN `acme-tls/1`.
pub fn offers_acme_tls(hello: &ClientHello<'_>) -> bool {
    hello
        .alpn()
        .is_some_and(|mut protocols| protocols.any(|p| p == ACME_TLS_ALPN))
}

/// A self-signed certificate for `domain` with the `acmeIdentifier` extension holding
/// `digest` (the SHA-256 of the key authorization), as RFC 8737 asks.
pub fn challenge_certificate(domain: &str, digest: &[u8]) -> Result<CertifiedKey, TlsAlpnError> {
    let build = |source| TlsAlpnError::Build {
        domain: domain.to_owned(),
        source,
    };
    let mut params = CertificateParams::new(vec![domain.to_owned()]).map_err(build)?;
    params.custom_extensions = vec![CustomExtension::new_acme_identifier(digest)];
    let key = KeyPair::generate().map_err(build)?;
    let cert = params.self_signed(&key).map_err(build)?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing = rustls::crypto::ring::sign::any_supported_type(&key_der).map_err(|source| {
        TlsAlpnError::Key {
            domain: domain.to_owned(),
            source,
        }
    })?;
    Ok(CertifiedKey::new(vec![cert.der().clone()], signing))
}

// === impl TlsAlpnCertificates ===

impl TlsAlpnCertificates {
    /// Builds and publishes the challenge certificate of `domain` for `digest`.
    pub fn insert(&self, domain: &str, digest: &[u8]) -> Result<(), TlsAlpnError> {
        let cert = challenge_certificate(domain, digest)?;
        self.inner
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(domain.to_ascii_lowercase(), Arc::new(cert));
        Ok(())
    }

    /// Withdraws `domain`'s challenge certificate.
    pub fn remove(&self, domain: &str) {
        self.inner
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&domain.to_ascii_lowercase());
    }

    /// The challenge certificate published for `domain`.
    pub fn get(&self, domain: &str) -> Option<Arc<CertifiedKey>> {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&domain.trim_end_matches('.').to_ascii_lowercase())
            .cloned()
    }

    /// The certificate for a handshake: `Some` only when the ClientHello offers
    /// `acme-tls/1` and a challenge is pending for its SNI name.
    pub fn for_client_hello(&self, hello: &ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        if !offers_acme_tls(hello) {
            return None;
        }
        self.get(hello.server_name()?)
    }
}

impl fmt::Debug for TlsAlpnCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domains: Vec<String> = self
            .inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        f.debug_struct("TlsAlpnCertificates")
            .field("domains", &domains)
            .finish()
    }
}

// === impl TlsAlpnResolver ===

impl TlsAlpnResolver {
    /// Answers `acme-tls/1` handshakes from `certs`, others from `fallback`.
    pub fn new(certs: TlsAlpnCertificates, fallback: Arc<dyn ResolvesServerCert>) -> Self {
        TlsAlpnResolver { certs, fallback }
    }
}

impl ResolvesServerCert for TlsAlpnResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        if offers_acme_tls(&hello) {
            // Never fall back: a challenge handshake must not get a real certificate.
            return self.certs.for_client_hello(&hello);
        }
        self.fallback.resolve(hello)
    }
}

#[cfg(test)]
mod tests {
    use x509_parser::prelude::{FromDer, X509Certificate};

    use super::*;

    #[test]
    fn the_certificate_carries_the_acme_identifier() {
        let digest = [0xabu8; 32];
        let ck = challenge_certificate("example.com", &digest).unwrap();
        let (_, cert) = X509Certificate::from_der(ck.cert[0].as_ref()).unwrap();
        // id-pe-acmeIdentifier, critical, OCTET STRING of the digest.
        let ext = cert
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.31")
            .expect("acmeIdentifier extension");
        assert!(ext.critical);
        assert_eq!(&ext.value[..2], [0x04, 0x20]);
        assert_eq!(&ext.value[2..], digest);
        let sans = cert.subject_alternative_name().unwrap().unwrap();
        assert_eq!(
            format!("{:?}", sans.value.general_names),
            "[DNSName(\"example.com\")]"
        );
    }
}
