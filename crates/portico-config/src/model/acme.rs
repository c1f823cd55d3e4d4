//! Validated ACME certificate resolvers (`certificatesResolvers.<name>.acme`).
//!
//! # Example
//!
//! ```
//! use portico_config::{Format, parse_install, validate};
//! use portico_config::model::KeyType;
//!
//! let raw = parse_install(
//!     "certificatesResolvers:\n  le:\n    acme:\n      email: ops@example.com\n      tlsChallenge: {}\n",
//!     Format::Yaml,
//!     "static.yaml",
//! )
//! .unwrap();
//! let model = validate::install(&raw).unwrap();
//! let le = &model.certificate_resolvers["le"];
//! assert_eq!(le.key_type, KeyType::Rsa4096);
//! assert_eq!(le.storage.to_str(), Some("acme.json"));
//! assert!(le.tls_challenge.is_some());
//! ```

use std::{fmt, path::PathBuf, time::Duration};

/// Let's Encrypt's production directory, Traefik's default `caServer`.
pub const LETS_ENCRYPT_PRODUCTION: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// One ACME certificate resolver with Traefik's defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcmeResolverSpec {
    /// The resolver's name (the key under `certificatesResolvers`).
    pub name: String,
    /// `email`: the account's contact.
    pub email: Option<String>,
    /// `caServer`: the directory URL (default Let's Encrypt production).
    pub ca_server: String,
    /// `storage`: the `acme.json` file (default `acme.json`).
    pub storage: PathBuf,
    /// `keyType`: the certificates' key type (default RSA4096).
    pub key_type: KeyType,
    /// `certificatesDuration`: the expected certificate lifetime (default 2160h), which
    /// sets the renewal period.
    pub certificates_duration: Duration,
    /// `preferredChain`: the issuer common name of the preferred alternate chain.
    pub preferred_chain: Option<String>,
    /// `profile`: the ACME certificate profile to ask for.
    pub profile: Option<String>,
    /// `emailAddresses`: addresses put in the CSR.
    pub email_addresses: Vec<String>,
    /// `disableCommonName`: leave the common name out of the CSR.
    pub disable_common_name: bool,
    /// `eab`: external account binding.
    pub eab: Option<EabSpec>,
    /// `caCertificates`: PEM files trusted for the CA server (instead of the system pool).
    pub ca_certificates: Vec<PathBuf>,
    /// `caSystemCertPool`: also trust the system pool when `caCertificates` is set.
    pub ca_system_cert_pool: bool,
    /// `caServerName`: the name checked on the CA server's certificate.
    pub ca_server_name: Option<String>,
    /// `clientTimeout`: the whole of one request to the CA (default 2m).
    pub client_timeout: Duration,
    /// `clientResponseHeaderTimeout`: waiting for the CA's response headers (default 30s).
    pub client_response_header_timeout: Duration,
    /// `certificateTimeout`: waiting for the certificate once the order is finalized
    /// (default 30s).
    pub certificate_timeout: Duration,
    /// `httpChallenge`: answer HTTP-01 on an entrypoint.
    pub http_challenge: Option<HttpChallengeSpec>,
    /// `tlsChallenge`: answer TLS-ALPN-01 during handshakes.
    pub tls_challenge: Option<TlsChallengeSpec>,
    /// `dnsChallenge`: publish DNS-01 TXT records through a provider.
    pub dns_challenge: Option<DnsChallengeSpec>,
}

/// `keyType`: the private key type of issued certificates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `EC256`: ECDSA P-256.
    Ec256,
    /// `EC384`: ECDSA P-384.
    Ec384,
    /// `RSA2048`.
    Rsa2048,
    /// `RSA4096` (Traefik's default).
    #[default]
    Rsa4096,
    /// `RSA8192`.
    Rsa8192,
}

/// `eab`: external account binding credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct EabSpec {
    /// `kid`: the key identifier given by the CA.
    pub kid: String,
    /// `hmacEncoded`: the HMAC key, base64url (padding optional).
    pub hmac_encoded: String,
}

/// `httpChallenge`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpChallengeSpec {
    /// `entryPoint`: the entrypoint (reachable on port 80) answering challenges.
    pub entry_point: String,
    /// `delay`: wait this long before telling the CA the challenge is ready.
    pub delay: Duration,
}

/// `tlsChallenge`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsChallengeSpec {
    /// `delay`: wait this long before telling the CA the challenge is ready.
    pub delay: Duration,
}

/// `dnsChallenge`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsChallengeSpec {
    /// `provider`: which DNS provider publishes the TXT records.
    pub provider: DnsProviderKind,
    /// `resolvers`: DNS servers (`host:port`, port 53 when absent) used for the
    /// propagation check; the system's when empty.
    pub resolvers: Vec<String>,
    /// `propagation`: how propagation is checked.
    pub propagation: PropagationSpec,
}

/// The DNS providers Portico implements (lego names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DnsProviderKind {
    /// `exec`: run `$EXEC_PATH present|cleanup <fqdn> <value>`.
    Exec,
    /// `rfc2136`: dynamic DNS updates, optionally signed with TSIG.
    Rfc2136,
}

/// `dnsChallenge.propagation`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PropagationSpec {
    /// `disableChecks`: do not check propagation at all.
    pub disable_checks: bool,
    /// `disableANSChecks`: do not query the authoritative nameservers.
    pub disable_ans_checks: bool,
    /// `requireAllRNS`: every configured resolver must see the record.
    pub require_all_rns: bool,
    /// `delayBeforeChecks`: wait this long before the first check.
    pub delay_before_checks: Duration,
}

// === impl KeyType ===

impl KeyType {
    /// Parses Traefik's name (`EC256`, `EC384`, `RSA2048`, `RSA4096`, `RSA8192`).
    ///
    /// ```
    /// use portico_config::model::KeyType;
    /// assert_eq!(KeyType::parse("EC256"), Some(KeyType::Ec256));
    /// assert_eq!(KeyType::parse("RSA1024"), None);
    /// ```
    pub fn parse(name: &str) -> Option<KeyType> {
        Some(match name {
            "EC256" => KeyType::Ec256,
            "EC384" => KeyType::Ec384,
            "RSA2048" => KeyType::Rsa2048,
            "RSA4096" => KeyType::Rsa4096,
            "RSA8192" => KeyType::Rsa8192,
            _ => return None,
        })
    }

    /// Traefik's configuration name.
    ///
    /// ```
    /// use portico_config::model::KeyType;
    /// assert_eq!(KeyType::Rsa4096.as_str(), "RSA4096");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Ec256 => "EC256",
            KeyType::Ec384 => "EC384",
            KeyType::Rsa2048 => "RSA2048",
            KeyType::Rsa4096 => "RSA4096",
            KeyType::Rsa8192 => "RSA8192",
        }
    }

    /// lego's name, stored as `KeyType` in `acme.json` (`P256`, `P384`, `2048`, ...).
    ///
    /// ```
    /// use portico_config::model::KeyType;
    /// assert_eq!(KeyType::Ec256.lego_name(), "P256");
    /// assert_eq!(KeyType::from_lego_name("4096"), Some(KeyType::Rsa4096));
    /// ```
    pub fn lego_name(self) -> &'static str {
        match self {
            KeyType::Ec256 => "P256",
            KeyType::Ec384 => "P384",
            KeyType::Rsa2048 => "2048",
            KeyType::Rsa4096 => "4096",
            KeyType::Rsa8192 => "8192",
        }
    }

    /// Parses lego's name (see [`KeyType::lego_name`]).
    pub fn from_lego_name(name: &str) -> Option<KeyType> {
        [
            KeyType::Ec256,
            KeyType::Ec384,
            KeyType::Rsa2048,
            KeyType::Rsa4096,
            KeyType::Rsa8192,
        ]
        .into_iter()
        .find(|k| k.lego_name() == name)
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// === impl EabSpec ===

impl fmt::Debug for EabSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EabSpec")
            .field("kid", &self.kid)
            .field("hmac_encoded", &"<redacted>")
            .finish()
    }
}

// === impl DnsProviderKind ===

impl DnsProviderKind {
    /// lego's provider name (`exec`, `rfc2136`).
    ///
    /// ```
    /// use portico_config::model::DnsProviderKind;
    /// assert_eq!(DnsProviderKind::Exec.as_str(), "exec");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            DnsProviderKind::Exec => "exec",
            DnsProviderKind::Rfc2136 => "rfc2136",
        }
    }
}

// === impl AcmeResolverSpec ===

impl AcmeResolverSpec {
    /// A resolver named `name` with Traefik's defaults and no challenge configured.
    ///
    /// ```
    /// use portico_config::model::{AcmeResolverSpec, LETS_ENCRYPT_PRODUCTION};
    /// let spec = AcmeResolverSpec::new("le");
    /// assert_eq!(spec.ca_server, LETS_ENCRYPT_PRODUCTION);
    /// assert_eq!(spec.certificates_duration.as_secs(), 2160 * 3600);
    /// ```
    pub fn new(name: &str) -> AcmeResolverSpec {
        AcmeResolverSpec {
            name: name.to_owned(),
            email: None,
            ca_server: LETS_ENCRYPT_PRODUCTION.to_owned(),
            storage: PathBuf::from("acme.json"),
            key_type: KeyType::default(),
            certificates_duration: Duration::from_secs(2160 * 3600),
            preferred_chain: None,
            profile: None,
            email_addresses: Vec::new(),
            disable_common_name: false,
            eab: None,
            ca_certificates: Vec::new(),
            ca_system_cert_pool: false,
            ca_server_name: None,
            client_timeout: Duration::from_secs(120),
            client_response_header_timeout: Duration::from_secs(30),
            certificate_timeout: Duration::from_secs(30),
            http_challenge: None,
            tls_challenge: None,
            dns_challenge: None,
        }
    }
}
