//! Traefik's TLS options as typed values, and their mapping to a rustls
//! `ServerConfig`.

use std::{fmt, str::FromStr, sync::Arc};

use rustls::{
    ServerConfig, SupportedCipherSuite, SupportedProtocolVersion,
    crypto::{CryptoProvider, SupportedKxGroup, ring},
    server::ResolvesServerCert,
};
use rustls_pki_types::CertificateDer;

use crate::{
    ACME_TLS_ALPN, CertError, ClientAuth, ClientAuthType, PemSource, client_auth,
    names::{self, Lookup},
    sessions::Sessions,
};

/// One `tls.options.<name>` entry, with Traefik's defaults ([`TlsOptions::default`]).
///
/// Names (cipher suites, curves) stay strings, as configured, and are resolved when
/// the options are built; [`TlsOptions::check`] resolves them without building, so
/// a configuration can be validated early. rustls implements TLS 1.2 and 1.3 only:
/// `VersionTLS10`/`VersionTLS11` as `min_version` mean TLS 1.2 (with a warning), and
/// as `max_version` are an error.
///
/// # Example
///
/// ```
/// use portico_tls::{ClientAuthType, TlsOptions, TlsVersion};
///
/// let options = TlsOptions {
///     min_version: "VersionTLS12".parse().unwrap(),
///     cipher_suites: vec!["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into()],
///     curve_preferences: vec!["CurveP256".into(), "x25519".into()],
///     ..TlsOptions::default()
/// };
/// assert!(options.check().unwrap().is_empty());
/// assert_eq!(TlsOptions::default().alpn_protocols, ["h2", "http/1.1"]);
/// let kind: ClientAuthType = "RequireAndVerifyClientCert".parse().unwrap();
/// assert_eq!(kind, ClientAuthType::RequireAndVerifyClientCert);
/// assert!(TlsVersion::Tls13 > TlsVersion::Tls12);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsOptions {
    /// `minVersion`; default `VersionTLS12`.
    pub min_version: TlsVersion,
    /// `maxVersion`; default none (TLS 1.3).
    pub max_version: Option<TlsVersion>,
    /// `cipherSuites`, Go's names. Empty: every suite rustls has. TLS 1.2 suites
    /// listed restrict TLS 1.2; TLS 1.3 suites listed restrict TLS 1.3, and when
    /// none is listed every TLS 1.3 suite stays on (Go does not configure them).
    /// Names Traefik knows but rustls lacks (CBC, static RSA…) are skipped with a
    /// warning; other names are errors.
    pub cipher_suites: Vec<String>,
    /// `curvePreferences`, Go's (`CurveP256`) or the RFC's (`secp256r1`) names, in
    /// preference order. Empty: X25519, P-256, P-384.
    pub curve_preferences: Vec<String>,
    /// `alpnProtocols`, most preferred first; default `h2`, `http/1.1`. (Traefik's
    /// default also has `acme-tls/1`; here it is added by
    /// [`SnapshotBuilder::acme_tls_alpn`](crate::SnapshotBuilder::acme_tls_alpn).)
    pub alpn_protocols: Vec<String>,
    /// `sniStrict`: refuse handshakes without SNI or without a certificate for it.
    pub sni_strict: bool,
    /// `clientAuth`.
    pub client_auth: ClientAuth,
    /// `disableSessionTickets`: no stateless tickets (TLS 1.2) and no TLS 1.3
    /// tickets; TLS 1.2 resumption by session ID stays on.
    pub disable_session_tickets: bool,
}

/// A TLS protocol version by Traefik's name (`VersionTLS10` … `VersionTLS13`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    /// TLS 1.0 (not served: means TLS 1.2 as a minimum).
    Tls10,
    /// TLS 1.1 (not served: means TLS 1.2 as a minimum).
    Tls11,
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// Why options cannot be built. Messages name the offending value; the caller adds
/// the key path (`index` is the position in the list).
#[derive(Debug, thiserror::Error)]
pub enum OptionsError {
    /// Not one of `VersionTLS10` … `VersionTLS13`.
    #[error("unknown TLS version {value:?}")]
    UnknownVersion {
        /// The value.
        value: String,
    },
    /// `maxVersion` below TLS 1.2.
    #[error("maxVersion {max} is below TLS 1.2, the oldest version served")]
    MaxVersionTooLow {
        /// The value.
        max: TlsVersion,
    },
    /// `maxVersion` below `minVersion`.
    #[error("maxVersion {max} is below minVersion {min}")]
    VersionRange {
        /// `minVersion`.
        min: TlsVersion,
        /// `maxVersion`.
        max: TlsVersion,
    },
    /// A cipher suite name Traefik does not know.
    #[error("unknown cipher suite {name:?}")]
    UnknownCipherSuite {
        /// Position in `cipherSuites`.
        index: usize,
        /// The name.
        name: String,
    },
    /// The suites left support none of the enabled versions.
    #[error("cipherSuites leave no cipher suite for the enabled TLS versions")]
    NoCipherSuite,
    /// A curve name Traefik does not know.
    #[error("unknown curve {name:?}")]
    UnknownCurve {
        /// Position in `curvePreferences`.
        index: usize,
        /// The name.
        name: String,
    },
    /// Every listed curve is one rustls lacks.
    #[error("curvePreferences leave no curve rustls supports (X25519, CurveP256, CurveP384)")]
    NoCurve,
    /// Not one of the five client auth types.
    #[error("unknown client auth type {value:?}")]
    UnknownClientAuthType {
        /// The value.
        value: String,
    },
    /// A verifying client auth type without `caFiles`.
    #[error("clientAuthType {kind} needs caFiles")]
    MissingClientCa {
        /// The type.
        kind: ClientAuthType,
    },
    /// A CA file cannot be loaded.
    #[error("cannot load a client CA")]
    ClientCa {
        /// Why.
        #[source]
        source: CertError,
    },
    /// A CA file holds no usable CA certificate.
    #[error("no valid CA certificate in {source_name}")]
    InvalidClientCa {
        /// The file or inline PEM.
        source_name: PemSource,
    },
    /// rustls refused the client verifier.
    #[error("cannot build the client certificate verifier")]
    Verifier {
        /// What rustls said.
        #[source]
        source: rustls::server::VerifierBuilderError,
    },
    /// rustls refused the configuration (or session tickets could not be set up).
    #[error("cannot build the TLS configuration")]
    Rustls {
        /// What rustls said.
        #[source]
        source: rustls::Error,
    },
}

/// Something in the options that is served differently than written; the options
/// still build.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionsWarning {
    /// `minVersion` below TLS 1.2, which rustls does not implement.
    #[error("minVersion {min} is served as TLS 1.2: older versions are not supported")]
    MinVersionRaised {
        /// The configured value.
        min: TlsVersion,
    },
    /// A cipher suite Traefik knows but rustls does not implement.
    #[error("cipher suite {name} is not supported by rustls and is skipped")]
    UnsupportedCipherSuite {
        /// Position in `cipherSuites`.
        index: usize,
        /// The name.
        name: String,
    },
    /// TLS 1.2 is enabled but no listed suite is a TLS 1.2 suite.
    #[error("cipherSuites leave no TLS 1.2 cipher suite: TLS 1.2 clients cannot connect")]
    NoTls12CipherSuite,
    /// A curve Traefik knows but *ring* does not implement.
    #[error("curve {name} is not supported by rustls and is skipped")]
    UnsupportedCurve {
        /// Position in `curvePreferences`.
        index: usize,
        /// The name.
        name: String,
    },
}

/// Options resolved to rustls values.
pub(crate) struct Resolved {
    pub(crate) versions: Vec<&'static SupportedProtocolVersion>,
    pub(crate) provider: CryptoProvider,
    pub(crate) warnings: Vec<OptionsWarning>,
}

// === impl TlsOptions ===

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            min_version: TlsVersion::Tls12,
            max_version: None,
            cipher_suites: Vec::new(),
            curve_preferences: Vec::new(),
            alpn_protocols: vec!["h2".to_owned(), "http/1.1".to_owned()],
            sni_strict: false,
            client_auth: ClientAuth::default(),
            disable_session_tickets: false,
        }
    }
}

impl TlsOptions {
    /// Resolves versions, cipher suites and curves without building (no file is
    /// read): the warnings, or the first error.
    pub fn check(&self) -> Result<Vec<OptionsWarning>, OptionsError> {
        self.resolve().map(|resolved| resolved.warnings)
    }

    pub(crate) fn resolve(&self) -> Result<Resolved, OptionsError> {
        let mut warnings = Vec::new();
        let min = if self.min_version < TlsVersion::Tls12 {
            warnings.push(OptionsWarning::MinVersionRaised {
                min: self.min_version,
            });
            TlsVersion::Tls12
        } else {
            self.min_version
        };
        let max = self.max_version.unwrap_or(TlsVersion::Tls13);
        if max < TlsVersion::Tls12 {
            return Err(OptionsError::MaxVersionTooLow { max });
        }
        if max < min {
            return Err(OptionsError::VersionRange {
                min: self.min_version,
                max,
            });
        }
        let mut versions: Vec<&'static SupportedProtocolVersion> = Vec::new();
        if min <= TlsVersion::Tls13 && max >= TlsVersion::Tls13 {
            versions.push(&rustls::version::TLS13);
        }
        if min <= TlsVersion::Tls12 {
            versions.push(&rustls::version::TLS12);
        }

        let cipher_suites = self.resolve_suites(&versions, &mut warnings)?;
        let kx_groups = self.resolve_curves(&mut warnings)?;
        Ok(Resolved {
            versions,
            provider: CryptoProvider {
                cipher_suites,
                kx_groups,
                ..ring::default_provider()
            },
            warnings,
        })
    }

    fn resolve_suites(
        &self,
        versions: &[&'static SupportedProtocolVersion],
        warnings: &mut Vec<OptionsWarning>,
    ) -> Result<Vec<SupportedCipherSuite>, OptionsError> {
        if self.cipher_suites.is_empty() {
            return Ok(ring::DEFAULT_CIPHER_SUITES.to_vec());
        }
        let mut listed: Vec<SupportedCipherSuite> = Vec::new();
        for (index, name) in self.cipher_suites.iter().enumerate() {
            match names::cipher_suite(name) {
                Lookup::Supported(suite) => {
                    if !listed.iter().any(|s| s.suite() == suite.suite()) {
                        listed.push(suite);
                    }
                }
                Lookup::Unsupported => warnings.push(OptionsWarning::UnsupportedCipherSuite {
                    index,
                    name: name.clone(),
                }),
                Lookup::Unknown => {
                    return Err(OptionsError::UnknownCipherSuite {
                        index,
                        name: name.clone(),
                    });
                }
            }
        }
        let is13 = |s: &SupportedCipherSuite| matches!(s, SupportedCipherSuite::Tls13(_));
        let mut suites: Vec<SupportedCipherSuite> = listed.iter().copied().filter(is13).collect();
        if suites.is_empty() {
            suites = ring::ALL_CIPHER_SUITES
                .iter()
                .copied()
                .filter(is13)
                .collect();
        }
        let tls12: Vec<SupportedCipherSuite> =
            listed.iter().copied().filter(|s| !is13(s)).collect();
        let tls12_on = versions.contains(&&rustls::version::TLS12);
        let tls13_on = versions.contains(&&rustls::version::TLS13);
        if tls12_on && tls12.is_empty() {
            if !tls13_on {
                return Err(OptionsError::NoCipherSuite);
            }
            warnings.push(OptionsWarning::NoTls12CipherSuite);
        }
        suites.extend(tls12);
        Ok(suites)
    }

    fn resolve_curves(
        &self,
        warnings: &mut Vec<OptionsWarning>,
    ) -> Result<Vec<&'static dyn SupportedKxGroup>, OptionsError> {
        if self.curve_preferences.is_empty() {
            return Ok(ring::DEFAULT_KX_GROUPS.to_vec());
        }
        let mut groups: Vec<&'static dyn SupportedKxGroup> = Vec::new();
        for (index, name) in self.curve_preferences.iter().enumerate() {
            match names::curve(name) {
                Lookup::Supported(group) => {
                    if !groups.iter().any(|g| g.name() == group.name()) {
                        groups.push(group);
                    }
                }
                Lookup::Unsupported => warnings.push(OptionsWarning::UnsupportedCurve {
                    index,
                    name: name.clone(),
                }),
                Lookup::Unknown => {
                    return Err(OptionsError::UnknownCurve {
                        index,
                        name: name.clone(),
                    });
                }
            }
        }
        if groups.is_empty() {
            return Err(OptionsError::NoCurve);
        }
        Ok(groups)
    }

    /// Builds the rustls configuration: `resolved` from [`TlsOptions::resolve`],
    /// `roots` from [`ClientAuth::load_roots`].
    pub(crate) fn server_config(
        &self,
        resolved: Resolved,
        roots: Vec<CertificateDer<'static>>,
        resolver: Arc<dyn ResolvesServerCert>,
        sessions: &Sessions,
        acme_tls_alpn: bool,
    ) -> Result<ServerConfig, OptionsError> {
        let provider = Arc::new(resolved.provider);
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&resolved.versions)
            .map_err(|source| OptionsError::Rustls { source })?;
        let kind = self.client_auth.effective_kind();
        let builder = match client_auth::verifier(kind, roots, &provider)? {
            Some(verifier) => builder.with_client_cert_verifier(verifier),
            None => builder.with_no_client_auth(),
        };
        let mut config = builder.with_cert_resolver(resolver);
        config.alpn_protocols = self
            .alpn_protocols
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect();
        if acme_tls_alpn && !config.alpn_protocols.iter().any(|p| p == ACME_TLS_ALPN) {
            config.alpn_protocols.push(ACME_TLS_ALPN.to_vec());
        }
        config.session_storage = sessions.cache.clone();
        config.send_tls13_tickets = match &sessions.ticketer {
            Some(ticketer) => {
                config.ticketer = ticketer.clone();
                // One ticket per full handshake, as Traefik (Go's crypto/tls)
                // sends; rustls's default of two costs both sides a ticket
                // most clients never use.
                1
            }
            None => 0,
        };
        Ok(config)
    }
}

// === impl TlsVersion ===

impl TlsVersion {
    /// The rustls version this means for a connection: TLS 1.0 and 1.1, which
    /// rustls does not speak, mean TLS 1.2.
    pub fn to_rustls(self) -> rustls::ProtocolVersion {
        match self {
            TlsVersion::Tls10 | TlsVersion::Tls11 | TlsVersion::Tls12 => {
                rustls::ProtocolVersion::TLSv1_2
            }
            TlsVersion::Tls13 => rustls::ProtocolVersion::TLSv1_3,
        }
    }

    /// Traefik's name (`VersionTLS12`).
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Tls10 => "VersionTLS10",
            TlsVersion::Tls11 => "VersionTLS11",
            TlsVersion::Tls12 => "VersionTLS12",
            TlsVersion::Tls13 => "VersionTLS13",
        }
    }
}

impl FromStr for TlsVersion {
    type Err = OptionsError;

    /// Traefik's names, ASCII case-insensitive.
    fn from_str(value: &str) -> Result<Self, OptionsError> {
        [
            TlsVersion::Tls10,
            TlsVersion::Tls11,
            TlsVersion::Tls12,
            TlsVersion::Tls13,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(value.trim()))
        .ok_or_else(|| OptionsError::UnknownVersion {
            value: value.to_owned(),
        })
    }
}

/// The cipher suites Traefik's `cipherSuites` names select for a client (a
/// `serversTransport`): the listed suites rustls implements, plus every TLS 1.3
/// suite when none is listed (Go cannot restrict TLS 1.3 suites, so Traefik
/// configurations never list them). An empty list means the provider's defaults
/// (an empty result). Names Traefik knows but rustls lacks (CBC, RC4) are skipped.
///
/// # Example
///
/// ```
/// use portico_tls::client_cipher_suites;
///
/// let suites = client_cipher_suites(&["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into()]).unwrap();
/// assert!(suites.len() > 1); // the TLS 1.2 suite and the TLS 1.3 ones
/// assert!(client_cipher_suites(&[]).unwrap().is_empty());
/// assert!(client_cipher_suites(&["TLS_NOPE".into()]).is_err());
/// ```
pub fn client_cipher_suites(names: &[String]) -> Result<Vec<SupportedCipherSuite>, OptionsError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut listed: Vec<SupportedCipherSuite> = Vec::new();
    for (index, name) in names.iter().enumerate() {
        match names::cipher_suite(name) {
            Lookup::Supported(suite) => {
                if !listed.iter().any(|s| s.suite() == suite.suite()) {
                    listed.push(suite);
                }
            }
            Lookup::Unsupported => {}
            Lookup::Unknown => {
                return Err(OptionsError::UnknownCipherSuite {
                    index,
                    name: name.clone(),
                });
            }
        }
    }
    let is13 = |s: &SupportedCipherSuite| matches!(s, SupportedCipherSuite::Tls13(_));
    if !listed.iter().any(is13) {
        listed.extend(ring::ALL_CIPHER_SUITES.iter().copied().filter(is13));
    }
    if listed.is_empty() {
        return Err(OptionsError::NoCipherSuite);
    }
    Ok(listed)
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
