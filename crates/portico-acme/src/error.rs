//! Errors of a resolver: which resolver, which names, and why.

use instant_acme::Problem;

use crate::{
    ClientError, DomainError, KeyError,
    challenge::{dns01::DnsError, tls_alpn01::TlsAlpnError},
    storage::StorageError,
};

/// A failure of resolver `resolver` for the names `domains`.
///
/// The message names both; [`AcmeError::problem`] gives the ACME problem document
/// when the CA sent one.
///
/// ```
/// use portico_acme::{AcmeError, ErrorKind};
/// let e = AcmeError::new("le", vec!["example.com".into()], ErrorKind::NoCertificate);
/// assert_eq!(e.to_string(), "resolver \"le\", domains example.com: the CA returned no certificate");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("resolver {resolver:?}, domains {}: {kind}", domains.join(","))]
pub struct AcmeError {
    /// The resolver's name.
    pub resolver: String,
    /// The names being ordered.
    pub domains: Vec<String>,
    /// What went wrong (boxed: problem documents are large).
    #[source]
    pub kind: Box<ErrorKind>,
}

/// What went wrong while obtaining a certificate.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The HTTPS client for the CA could not be set up (`caCertificates`,
    /// `caServerName`).
    #[error("CA client")]
    Client(#[source] ClientError),
    /// `eab.hmacEncoded` is not base64url.
    #[error("eab.hmacEncoded is not valid base64url")]
    Eab,
    /// The TLS-ALPN-01 certificate could not be built.
    #[error("TLS-ALPN-01 certificate")]
    TlsAlpn(#[source] Box<TlsAlpnError>),
    /// The names cannot be ordered.
    #[error("invalid domains")]
    Domains(#[source] DomainError),
    /// The CA could not be reached, or refused a request.
    ///
    /// The message includes the problem document or the transport error's causes, so
    /// that one log line says what the CA answered.
    #[error("ACME request to {ca_server} failed: {}", describe(error))]
    Acme {
        /// The directory URL.
        ca_server: String,
        /// The client's error (holding the problem document, if any).
        error: instant_acme::Error,
    },
    /// The CA offers no challenge this resolver is configured for.
    #[error("no configured challenge is offered for {domain} (offered: {offered})")]
    NoChallenge {
        /// The name.
        domain: String,
        /// The challenge types the CA offered.
        offered: String,
    },
    /// The CA could not validate the challenge.
    #[error("{challenge} challenge for {domain} failed{}", problem.as_ref().map(|p| format!(": {}", problem_text(p))).unwrap_or_default())]
    Challenge {
        /// The name.
        domain: String,
        /// `http-01`, `tls-alpn-01` or `dns-01`.
        challenge: &'static str,
        /// The CA's problem document.
        problem: Option<Problem>,
    },
    /// The order ended up invalid for another reason.
    #[error("order became invalid{}", .0.as_ref().map(|p| format!(": {}", problem_text(p))).unwrap_or_default())]
    OrderInvalid(Option<Problem>),
    /// Publishing or checking a DNS-01 record failed.
    #[error("DNS-01 for {domain} failed")]
    Dns {
        /// The name.
        domain: String,
        /// The provider's error.
        #[source]
        source: DnsError,
    },
    /// Creating the certificate key or CSR failed.
    #[error("certificate key")]
    Key(#[source] KeyError),
    /// Reading or writing `acme.json` failed.
    #[error("storage")]
    Storage(#[source] StorageError),
    /// The CA returned nothing usable.
    #[error("the CA returned no certificate")]
    NoCertificate,
    /// The CA returned a certificate that does not parse.
    #[error("the CA returned an unreadable certificate: {0}")]
    BadCertificate(String),
}

fn problem_text(p: &Problem) -> String {
    let mut out = p.detail.clone().unwrap_or_default();
    if let Some(t) = &p.r#type {
        out.push_str(&format!(" ({t})"));
    }
    for sub in &p.subproblems {
        out.push_str(&format!("; {sub}"));
    }
    out
}

fn describe(e: &instant_acme::Error) -> String {
    match e {
        instant_acme::Error::Api(p) => problem_text(p),
        other => {
            // Include the cause chain: the transport errors say little on their own.
            let mut out = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(s) = source {
                out.push_str(&format!(": {s}"));
                source = s.source();
            }
            out
        }
    }
}

// === impl AcmeError ===

impl AcmeError {
    /// An error of `resolver` for `domains`.
    pub fn new(resolver: &str, domains: Vec<String>, kind: ErrorKind) -> Self {
        AcmeError {
            resolver: resolver.to_owned(),
            domains,
            kind: Box::new(kind),
        }
    }

    /// The ACME problem document, when the CA sent one.
    pub fn problem(&self) -> Option<&Problem> {
        match &*self.kind {
            ErrorKind::Acme {
                error: instant_acme::Error::Api(p),
                ..
            } => Some(p),
            ErrorKind::Challenge { problem, .. } => problem.as_ref(),
            ErrorKind::OrderInvalid(p) => p.as_ref(),
            _ => None,
        }
    }

    /// Whether trying again later may help (network trouble, rate limits, failed
    /// challenges) rather than needing a configuration change.
    pub fn is_retryable(&self) -> bool {
        !matches!(
            *self.kind,
            ErrorKind::Domains(_)
                | ErrorKind::NoChallenge { .. }
                | ErrorKind::Client(_)
                | ErrorKind::Eab
        )
    }
}
