//! The rustls client configuration for `https://` servers, built from the settings.

use std::sync::Arc;

use hyper_rustls::{DefaultServerNameResolver, FixedServerNameResolver, ResolveServerName};
use rustls::{
    ClientConfig, ProtocolVersion, RootCertStore, SupportedProtocolVersion,
    client::{VerifierBuilderError, WebPkiServerVerifier},
    crypto::{CryptoProvider, ring},
};
use rustls_pki_types::ServerName;

use super::{TransportSettings, verify::PeerVerifier};

const H2: &[u8] = b"h2";
const HTTP_11: &[u8] = b"http/1.1";

/// Settings a transport cannot be built from. Messages name the offending value,
/// never key material.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// `server_name` is neither a DNS name nor an IP address.
    #[error("invalid server name {name:?}")]
    InvalidServerName {
        /// The name as given.
        name: String,
    },
    /// A root certificate cannot be used as a trust anchor.
    #[error("invalid root certificate #{index}")]
    RootCertificate {
        /// Its position in `root_certificates`.
        index: usize,
        /// Why.
        #[source]
        source: rustls::Error,
    },
    /// The server certificate verifier cannot be built from the roots.
    #[error("cannot verify server certificates with the given roots")]
    Verifier {
        /// Why.
        #[source]
        source: VerifierBuilderError,
    },
    /// The client certificate chain is empty.
    #[error("client certificate chain is empty")]
    EmptyClientCertificate,
    /// The client certificate or its key cannot be used.
    #[error("invalid client certificate or key")]
    ClientCertificate {
        /// Why.
        #[source]
        source: rustls::Error,
    },
    /// No TLS version rustls speaks lies between the bounds.
    #[error(
        "no supported tls version between {min:?} and {max:?} (rustls speaks TLSv1_2 and TLSv1_3)"
    )]
    NoTlsVersion {
        /// `min_version`.
        min: Option<ProtocolVersion>,
        /// `max_version`.
        max: Option<ProtocolVersion>,
    },
    /// A cipher suite the crypto provider does not implement.
    #[error("unsupported cipher suite {suite:?}")]
    UnsupportedCipherSuite {
        /// The suite.
        suite: rustls::CipherSuite,
    },
    /// The versions and cipher suites do not make a usable configuration.
    #[error("invalid tls versions or cipher suites")]
    Tls {
        /// Why.
        #[source]
        source: rustls::Error,
    },
    /// An empty name in `peer_cert_sans`.
    #[error("empty name in peer certificate names")]
    EmptyPeerCertSan,
}

/// What the https connector needs: the configuration offering h2 (unless
/// disabled), the one offering only HTTP/1.1 (for upgrades), and the name to
/// verify.
pub(super) struct TlsParts {
    pub(super) alpn: Arc<ClientConfig>,
    pub(super) http1_only: Arc<ClientConfig>,
    pub(super) server_name: Arc<dyn ResolveServerName + Send + Sync>,
}

/// Builds the client configurations from `settings`.
pub(super) fn client_configs(settings: &TransportSettings) -> Result<TlsParts, TransportError> {
    let server_name = server_name_resolver(settings.server_name.as_deref())?;
    let provider = Arc::new(provider(&settings.cipher_suites)?);
    let versions = versions(settings.min_version, settings.max_version)?;

    let roots = if settings.root_certificates.is_empty() {
        RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }
    } else {
        let mut roots = RootCertStore::empty();
        for (index, cert) in settings.root_certificates.iter().enumerate() {
            roots
                .add(cert.clone())
                .map_err(|source| TransportError::RootCertificate { index, source })?;
        }
        roots
    };
    let roots = Arc::new(roots);

    if settings.peer_cert_sans.iter().any(|s| s.trim().is_empty()) {
        return Err(TransportError::EmptyPeerCertSan);
    }
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|source| TransportError::Tls { source })?;
    let builder = if settings.insecure_skip_verify || !settings.peer_cert_sans.is_empty() {
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .map_err(|source| TransportError::Verifier { source })?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PeerVerifier::new(
                webpki,
                settings.insecure_skip_verify,
                settings.peer_cert_sans.clone(),
            )))
    } else {
        builder.with_root_certificates(roots)
    };
    let mut config = match &settings.client_certificate {
        Some((chain, _)) if chain.is_empty() => {
            return Err(TransportError::EmptyClientCertificate);
        }
        Some((chain, key)) => builder
            .with_client_auth_cert(chain.clone(), key.clone_key())
            .map_err(|source| TransportError::ClientCertificate { source })?,
        None => builder.with_no_client_auth(),
    };

    let mut http1_only = config.clone();
    http1_only.alpn_protocols = vec![HTTP_11.to_vec()];
    config.alpn_protocols = if settings.disable_http2 {
        vec![HTTP_11.to_vec()]
    } else {
        vec![H2.to_vec(), HTTP_11.to_vec()]
    };
    Ok(TlsParts {
        alpn: Arc::new(config),
        http1_only: Arc::new(http1_only),
        server_name,
    })
}

fn server_name_resolver(
    name: Option<&str>,
) -> Result<Arc<dyn ResolveServerName + Send + Sync>, TransportError> {
    let Some(name) = name else {
        return Ok(Arc::new(DefaultServerNameResolver::default()));
    };
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    let parsed =
        ServerName::try_from(bare.to_owned()).map_err(|_| TransportError::InvalidServerName {
            name: name.to_owned(),
        })?;
    Ok(Arc::new(FixedServerNameResolver::new(parsed)))
}

/// The ring provider, its cipher suites narrowed to `suites` when given.
fn provider(suites: &[rustls::SupportedCipherSuite]) -> Result<CryptoProvider, TransportError> {
    let mut provider = ring::default_provider();
    if suites.is_empty() {
        return Ok(provider);
    }
    for wanted in suites {
        if !provider
            .cipher_suites
            .iter()
            .any(|s| s.suite() == wanted.suite())
        {
            return Err(TransportError::UnsupportedCipherSuite {
                suite: wanted.suite(),
            });
        }
    }
    let names_tls13 = suites.iter().any(|s| s.tls13().is_some());
    provider.cipher_suites.retain(|s| {
        let listed = suites.iter().any(|w| w.suite() == s.suite());
        // Go does not let TLS 1.3 suites be configured: unless the list names some,
        // they all stay.
        listed || (s.tls13().is_some() && !names_tls13)
    });
    Ok(provider)
}

/// The TLS versions rustls speaks within `[min, max]`.
fn versions(
    min: Option<ProtocolVersion>,
    max: Option<ProtocolVersion>,
) -> Result<Vec<&'static SupportedProtocolVersion>, TransportError> {
    let low = min.map_or(0, u16::from);
    let high = max.map_or(u16::MAX, u16::from);
    let versions: Vec<_> = rustls::ALL_VERSIONS
        .iter()
        .copied()
        .filter(|v| (low..=high).contains(&u16::from(v.version)))
        .collect();
    if versions.is_empty() {
        return Err(TransportError::NoTlsVersion { min, max });
    }
    Ok(versions)
}

#[cfg(test)]
mod tests;
