//! TLS certificates, options and stores (`dynamic.TLSConfiguration`,
//! `pkg/tls`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::raw::{CertificatePair, Domain};
/// TLS material (`dynamic.TLSConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsConfig {
    /// Certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<TlsCertificate>>,
    /// TLS options, by name (`default` applies when a router names none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeMap<String, TlsOptions>>,
    /// Certificate stores, by name (only `default` is used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stores: Option<BTreeMap<String, TlsStore>>,
}

/// A certificate and the stores it goes to (`tls.CertAndStores`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsCertificate {
    /// The certificate: a path or inline PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<String>,
    /// The private key: a path or inline PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    /// Stores holding it (default `default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stores: Option<Vec<String>>,
}

/// TLS options of incoming connections (`tls.Options`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsOptions {
    /// Lowest TLS version, such as `VersionTLS12` (default `VersionTLS12` for `default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_version: Option<String>,
    /// Highest TLS version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_version: Option<String>,
    /// Allowed cipher suites (TLS 1.2 and below).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher_suites: Option<Vec<String>>,
    /// Key exchange curves, in preference order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve_preferences: Option<Vec<String>>,
    /// Client certificate authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<ClientAuth>,
    /// Refuse clients without a known SNI (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni_strict: Option<bool>,
    /// ALPN protocols offered (default `h2`, `http/1.1`, `acme-tls/1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpn_protocols: Option<Vec<String>>,
    /// Disable session tickets (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_session_tickets: Option<bool>,
    /// Deprecated, no effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefer_server_cipher_suites: Option<bool>,
}

/// Client certificate authentication (`tls.ClientAuth`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientAuth {
    /// CA certificates clients are checked against: paths or inline PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_files: Option<Vec<String>>,
    /// `NoClientCert`, `RequestClientCert`, `RequireAnyClientCert`, `VerifyClientCertIfGiven` or
    /// `RequireAndVerifyClientCert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_auth_type: Option<String>,
}

/// A certificate store (`tls.Store`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsStore {
    /// Certificate used when no other matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_certificate: Option<CertificatePair>,
    /// Obtain the default certificate from a resolver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_generated_cert: Option<GeneratedCert>,
}

/// A default certificate obtained from a resolver (`tls.GeneratedCert`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GeneratedCert {
    /// Certificate resolver name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolver: Option<String>,
    /// Domain of the certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<Domain>,
}
