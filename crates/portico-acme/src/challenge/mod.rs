//! The three ACME challenges, as state shared between the issuer (which publishes
//! answers) and the servers (which serve them).
//!
//! - [`http01`]: key authorizations by token, served by [`http01::Http01Service`] on
//!   `GET /.well-known/acme-challenge/<token>`;
//! - [`tls_alpn01`]: self-signed `acme-tls/1` certificates by domain, looked up
//!   during handshakes that offer ALPN `acme-tls/1`;
//! - [`dns01`]: TXT records published through a [`dns01::DnsProvider`], then checked
//!   for propagation.
//!
//! # Example
//!
//! ```
//! use portico_acme::Challenges;
//! let challenges = Challenges::default();
//! challenges.http01.insert("token", "token.thumbprint");
//! assert_eq!(challenges.http01.get("token").as_deref(), Some("token.thumbprint"));
//! ```

pub mod dns01;
pub mod http01;
pub mod tls_alpn01;

use std::sync::Arc;

/// The challenge state of one resolver (or of all resolvers: the maps are keyed by
/// token and domain, so sharing them is safe).
#[derive(Clone, Debug, Default)]
pub struct Challenges {
    /// HTTP-01 answers, served when the resolver has `httpChallenge`.
    pub http01: http01::Http01Tokens,
    /// TLS-ALPN-01 certificates, served when the resolver has `tlsChallenge`.
    pub tls_alpn01: tls_alpn01::TlsAlpnCertificates,
    /// The DNS-01 provider and propagation check, needed when the resolver has
    /// `dnsChallenge`.
    pub dns01: Option<Arc<dns01::Dns01>>,
}
