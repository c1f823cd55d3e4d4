//! The ACME certificate resolver (`acme.Configuration`).

use serde::{Deserialize, Serialize};

use crate::raw::Duration;
/// Obtain certificates with ACME (`acme.Configuration`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Acme {
    /// Account email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Directory URL (default Let's Encrypt production).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_server: Option<String>,
    /// Preferred chain, by issuer common name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_chain: Option<String>,
    /// Certificate profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Email addresses put in the CSR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_addresses: Option<Vec<String>>,
    /// Leave the common name out of the CSR (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_common_name: Option<bool>,
    /// File holding accounts and certificates (default `acme.json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// `EC256`, `EC384`, `RSA2048`, `RSA4096` (default) or `RSA8192`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_type: Option<String>,
    /// External account binding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eab: Option<Eab>,
    /// Certificate lifetime in hours, for renewal (default 2160).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates_duration: Option<i64>,
    /// Timeout of a request to the CA (default 2m).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_timeout: Option<Duration>,
    /// Timeout for the CA's response headers (default 30s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_response_header_timeout: Option<Duration>,
    /// Timeout of the finalization request (default 30s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_timeout: Option<Duration>,
    /// CA certificates trusted for the CA server: paths.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_certificates: Option<Vec<String>>,
    /// Also trust the system pool for the CA server (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_system_cert_pool: Option<bool>,
    /// Server name checked on the CA server's certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_server_name: Option<String>,
    /// Use the DNS-01 challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_challenge: Option<DnsChallenge>,
    /// Use the HTTP-01 challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_challenge: Option<HttpChallenge>,
    /// Use the TLS-ALPN-01 challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_challenge: Option<TlsChallenge>,
}

/// External account binding (`acme.EAB`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Eab {
    /// Key identifier from the CA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// HMAC key from the CA, base64url without padding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hmac_encoded: Option<String>,
}

/// The DNS-01 challenge (`acme.DNSChallenge`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DnsChallenge {
    /// DNS provider name (lego).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// DNS servers used to check propagation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolvers: Option<Vec<String>>,
    /// Propagation checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation: Option<Propagation>,
    /// Deprecated: use `propagation.delayBeforeChecks`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_before_check: Option<Duration>,
    /// Deprecated: use `propagation.disableChecks`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_propagation_check: Option<bool>,
}

/// DNS propagation checks (`acme.Propagation`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Propagation {
    /// Skip all propagation checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_checks: Option<bool>,
    /// Skip checks against authoritative nameservers.
    #[serde(rename = "disableANSChecks", skip_serializing_if = "Option::is_none")]
    pub disable_ans_checks: Option<bool>,
    /// Require propagation to all recursive nameservers.
    #[serde(rename = "requireAllRNS", skip_serializing_if = "Option::is_none")]
    pub require_all_rns: Option<bool>,
    /// Wait this long before checking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_before_checks: Option<Duration>,
}

/// The HTTP-01 challenge (`acme.HTTPChallenge`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpChallenge {
    /// Entrypoint answering challenges (reachable on port 80).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// Delay between creating the challenge and validating it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
}

/// The TLS-ALPN-01 challenge (`acme.TLSChallenge`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsChallenge {
    /// Delay between creating the challenge and validating it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
}
