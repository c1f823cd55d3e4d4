//! Certificates and keys loaded from PEM files or inline PEM.

use std::{
    fmt, io,
    path::{Path, PathBuf},
    sync::Arc,
};

use rustls::{crypto::ring::sign::any_supported_type, sign::CertifiedKey};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use x509_parser::{extensions::GeneralName, prelude::FromDer};

/// Where PEM text comes from: a file, or the PEM itself.
///
/// Traefik's `certFile`, `keyFile` and `caFiles` accept both; a value containing
/// `-----BEGIN` is PEM ([`PemSource::from_traefik`]). `Debug` and `Display` never
/// show inline content, so a key cannot leak into a log or an error.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum PemSource {
    /// A path to a PEM file.
    File(PathBuf),
    /// PEM text given inline.
    Inline(Arc<str>),
}

/// A certificate chain with its private key, ready to serve.
///
/// # Example
///
/// ```
/// use portico_tls::{Certificate, PemSource};
///
/// let key = rcgen::KeyPair::generate().unwrap();
/// let params = rcgen::CertificateParams::new(vec!["a.example.com".to_owned()]).unwrap();
/// let cert = params.self_signed(&key).unwrap();
/// let loaded = Certificate::load(
///     &PemSource::from_traefik(&cert.pem()),
///     &PemSource::from_traefik(&key.serialize_pem()),
/// )
/// .unwrap();
/// assert_eq!(loaded.names(), ["a.example.com"]);
/// ```
#[derive(Clone)]
pub struct Certificate {
    key: Arc<CertifiedKey>,
    names: Vec<String>,
    not_after: i64,
}

/// Why a certificate or key could not be loaded. Messages name the file (or say
/// "inline PEM"), never the content.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// The file could not be read.
    #[error("cannot read {source_name}")]
    Read {
        /// The file.
        source_name: PemSource,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The PEM text is malformed.
    #[error("invalid PEM in {source_name}")]
    Pem {
        /// The file or inline PEM.
        source_name: PemSource,
        /// What the PEM parser said.
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    /// No `CERTIFICATE` block.
    #[error("no certificate in {source_name}")]
    NoCertificate {
        /// The file or inline PEM.
        source_name: PemSource,
    },
    /// No unencrypted RSA (PKCS#1, PKCS#8), ECDSA (SEC1, PKCS#8) or Ed25519 key.
    #[error("no private key (PKCS#1, PKCS#8 or SEC1, unencrypted) in {source_name}")]
    NoKey {
        /// The file or inline PEM.
        source_name: PemSource,
    },
    /// A key of a type or size rustls cannot sign with.
    #[error("unsupported private key in {source_name}")]
    UnsupportedKey {
        /// The file or inline PEM.
        source_name: PemSource,
        /// What rustls said.
        #[source]
        source: rustls::Error,
    },
    /// The first certificate cannot be parsed.
    #[error("cannot parse the certificate in {source_name}")]
    InvalidCertificate {
        /// The file or inline PEM.
        source_name: PemSource,
        /// What the X.509 parser said.
        #[source]
        source: x509_parser::nom::Err<x509_parser::error::X509Error>,
    },
    /// The key is not the certificate's.
    #[error("the private key in {key} does not match the certificate in {cert}")]
    KeyMismatch {
        /// The certificate's file or inline PEM.
        cert: PemSource,
        /// The key's file or inline PEM.
        key: PemSource,
    },
}

// === impl PemSource ===

impl PemSource {
    /// A value as Traefik reads `certFile`/`keyFile`/`caFiles`: PEM when it contains
    /// `-----BEGIN`, else a file path.
    pub fn from_traefik(value: &str) -> Self {
        if value.contains("-----BEGIN") {
            PemSource::Inline(value.into())
        } else {
            PemSource::File(PathBuf::from(value))
        }
    }

    /// The file path, when this is a file.
    pub fn path(&self) -> Option<&Path> {
        match self {
            PemSource::File(path) => Some(path),
            PemSource::Inline(_) => None,
        }
    }

    /// The PEM bytes (reads the file; blocking).
    pub fn read(&self) -> Result<Vec<u8>, CertError> {
        match self {
            PemSource::File(path) => std::fs::read(path).map_err(|source| CertError::Read {
                source_name: self.clone(),
                source,
            }),
            PemSource::Inline(text) => Ok(text.as_bytes().to_vec()),
        }
    }

    /// Every `CERTIFICATE` block (for CA bundles and chains).
    pub fn read_certificates(&self) -> Result<Vec<CertificateDer<'static>>, CertError> {
        let pem = self.read()?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| CertError::Pem {
                source_name: self.clone(),
                source,
            })?;
        if certs.is_empty() {
            return Err(CertError::NoCertificate {
                source_name: self.clone(),
            });
        }
        Ok(certs)
    }

    /// Reads the first private key (PKCS#1, PKCS#8 or SEC1 PEM). The key bytes never
    /// appear in errors.
    pub fn read_key(&self) -> Result<PrivateKeyDer<'static>, CertError> {
        let pem = self.read()?;
        PrivateKeyDer::from_pem_slice(&pem).map_err(|source| match source {
            rustls_pki_types::pem::Error::NoItemsFound => CertError::NoKey {
                source_name: self.clone(),
            },
            source => CertError::Pem {
                source_name: self.clone(),
                source,
            },
        })
    }
}

impl fmt::Display for PemSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PemSource::File(path) => write!(f, "{}", path.display()),
            PemSource::Inline(_) => f.write_str("inline PEM"),
        }
    }
}

impl fmt::Debug for PemSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PemSource::File(path) => f.debug_tuple("File").field(path).finish(),
            PemSource::Inline(_) => f.write_str("Inline(..)"),
        }
    }
}

// === impl Certificate ===

impl Certificate {
    /// Loads a chain (leaf first) and its key; checks that the key is the leaf's and
    /// reads the leaf's names. Reads files synchronously: call it off the runtime's
    /// worker threads (`spawn_blocking`) when loading many.
    pub fn load(cert: &PemSource, key: &PemSource) -> Result<Self, CertError> {
        let chain = cert.read_certificates()?;
        let der = key.read_key()?;
        let signing_key = any_supported_type(&der).map_err(|source| CertError::UnsupportedKey {
            source_name: key.clone(),
            source,
        })?;
        let (names, not_after) =
            leaf_facts(&chain[0]).map_err(|source| CertError::InvalidCertificate {
                source_name: cert.clone(),
                source,
            })?;
        let certified = CertifiedKey::new(chain, signing_key);
        match certified.keys_match() {
            Ok(()) => {}
            // *ring* keys always know their public key; a key that does not cannot
            // be checked, which is not a mismatch.
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
            Err(_) => {
                return Err(CertError::KeyMismatch {
                    cert: cert.clone(),
                    key: key.clone(),
                });
            }
        }
        Ok(Certificate {
            key: Arc::new(certified),
            names,
            not_after,
        })
    }

    /// Loads a chain and key given as PEM text.
    pub fn from_pem(cert: &str, key: &str) -> Result<Self, CertError> {
        Self::load(
            &PemSource::Inline(cert.into()),
            &PemSource::Inline(key.into()),
        )
    }

    /// The DNS names the certificate serves, lower-cased, without a trailing dot:
    /// its SAN DNS names, or its subject CN when it has none. Wildcards keep their
    /// `*.` prefix.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The end of the leaf's validity, in seconds since the Unix epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// The chain, leaf first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.key.cert
    }

    /// The chain and signing key, as rustls serves them.
    pub fn certified_key(&self) -> &Arc<CertifiedKey> {
        &self.key
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("names", &self.names)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

/// The leaf's DNS names (SAN, else CN) and `notAfter`.
fn leaf_facts(
    leaf: &CertificateDer<'_>,
) -> Result<(Vec<String>, i64), x509_parser::nom::Err<x509_parser::error::X509Error>> {
    let (_, parsed) = x509_parser::certificate::X509Certificate::from_der(leaf)?;
    let mut names = Vec::new();
    // A malformed SAN extension leaves the certificate without SAN names.
    if let Ok(Some(san)) = parsed.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::DNSName(dns) = name {
                push_name(&mut names, dns);
            }
        }
    }
    if names.is_empty()
        && let Some(cn) = parsed
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
    {
        push_name(&mut names, cn);
    }
    Ok((names, parsed.validity().not_after.timestamp()))
}

fn push_name(names: &mut Vec<String>, name: &str) {
    let name = crate::store::normalize_name(name).into_owned();
    if !name.is_empty() && !names.contains(&name) {
        names.push(name);
    }
}

#[cfg(test)]
mod tests;
