//! The validated `tls` section of the routing configuration.

use std::collections::BTreeMap;

use super::QualifiedName;

/// Certificates, TLS options and the default store, from every provider.
///
/// Values that name files or hold PEM are kept as written: the router reads them
/// (off the request path) when it builds the TLS snapshot, and names parsed by the
/// TLS layer (versions, cipher suites, curves) are checked there too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsModel {
    /// `tls.certificates[]` (in the default store).
    pub certificates: Vec<CertificateSpec>,
    /// `tls.options.<name>`, by qualified name.
    pub options: BTreeMap<QualifiedName, Result<TlsOptionsSpec, Vec<String>>>,
    /// `tls.stores.default.defaultCertificate`.
    pub default_certificate: Option<CertificateSpec>,
}

/// A certificate and its key: each a file path or inline PEM.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CertificateSpec {
    /// `certFile`.
    pub cert: String,
    /// `keyFile`.
    pub key: String,
    /// Where it was configured (`tls.certificates[2]@file`), for messages.
    pub origin: String,
}

/// `tls.options.<name>`, Traefik's names kept as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptionsSpec {
    /// `minVersion`.
    pub min_version: Option<String>,
    /// `maxVersion`.
    pub max_version: Option<String>,
    /// `cipherSuites`.
    pub cipher_suites: Vec<String>,
    /// `curvePreferences`.
    pub curve_preferences: Vec<String>,
    /// `alpnProtocols` (empty: Traefik's default `h2`, `http/1.1`).
    pub alpn_protocols: Vec<String>,
    /// `sniStrict`.
    pub sni_strict: bool,
    /// `clientAuth.caFiles`: paths or inline PEM.
    pub client_ca_files: Vec<String>,
    /// `clientAuth.clientAuthType`.
    pub client_auth_type: Option<String>,
    /// `disableSessionTickets`.
    pub disable_session_tickets: bool,
}

impl TlsModel {
    /// Adds another provider's section: certificates are appended, options are
    /// qualified so they cannot clash, the first default certificate wins.
    pub fn extend(&mut self, other: TlsModel) {
        self.certificates.extend(other.certificates);
        self.options.extend(other.options);
        if self.default_certificate.is_none() {
            self.default_certificate = other.default_certificate;
        }
    }
}
