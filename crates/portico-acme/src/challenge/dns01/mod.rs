//! DNS-01: publish `_acme-challenge.<domain>` TXT records through a provider, wait
//! until resolvers see them, and remove them afterwards.
//!
//! Providers implement [`DnsProvider`]; Portico ships lego's `exec` ([`ExecProvider`])
//! and `rfc2136` ([`Rfc2136Provider`]). [`PropagationCheck`] queries the configured
//! resolvers for the TXT value before the CA is told to validate.
//!
//! # Example
//!
//! ```
//! use portico_acme::challenge::dns01::{ChallengeRecord, challenge_fqdn};
//!
//! assert_eq!(challenge_fqdn("*.example.com"), "_acme-challenge.example.com.");
//! let record = ChallengeRecord::new("example.com", "tok", "tok.thumb", "dGhlIHZhbHVl");
//! assert_eq!(record.fqdn, "_acme-challenge.example.com.");
//! ```

mod exec;
mod propagation;
mod rfc2136;

use std::{fmt, future::Future, path::PathBuf, pin::Pin, sync::Arc, time::Duration};

pub use self::{
    exec::ExecProvider,
    propagation::PropagationCheck,
    rfc2136::{Rfc2136Provider, TsigKey},
};

/// A boxed future, as returned by [`DnsProvider`] methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One TXT record to publish for a DNS-01 challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRecord {
    /// The domain being validated, without `*.` (`example.com`).
    pub domain: String,
    /// `_acme-challenge.<domain>.`, with the trailing dot.
    pub fqdn: String,
    /// The TXT value: base64url of the SHA-256 of the key authorization.
    pub value: String,
    /// The challenge token (for providers that want the raw parts).
    pub token: String,
    /// The key authorization (for providers that want the raw parts).
    pub key_authorization: String,
}

/// Publishes and removes DNS-01 TXT records.
pub trait DnsProvider: Send + Sync + fmt::Debug {
    /// Creates the TXT record `record.fqdn` = `record.value`.
    fn present<'a>(&'a self, record: &'a ChallengeRecord) -> BoxFuture<'a, Result<(), DnsError>>;
    /// Removes that record.
    fn cleanup<'a>(&'a self, record: &'a ChallengeRecord) -> BoxFuture<'a, Result<(), DnsError>>;
}

/// A DNS-01 setup: the provider and the propagation check.
#[derive(Clone, Debug)]
pub struct Dns01 {
    /// Publishes the records.
    pub provider: Arc<dyn DnsProvider>,
    /// Waits until they are visible.
    pub propagation: PropagationCheck,
}

/// Why a DNS-01 step failed.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    /// A required setting is missing or wrong (for example `EXEC_PATH`).
    #[error("invalid DNS provider setting {name}: {reason}")]
    Setting {
        /// The setting (environment variable) name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The exec program could not be started.
    #[error("cannot run {program}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The exec program failed.
    #[error("{program} {action} exited with {status}: {stderr}")]
    Exec {
        /// The program.
        program: PathBuf,
        /// `present` or `cleanup`.
        action: &'static str,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The end of its standard error.
        stderr: String,
    },
    /// A step took too long.
    #[error("{what} timed out after {after:?}")]
    Timeout {
        /// What timed out.
        what: String,
        /// The limit.
        after: Duration,
    },
    /// A DNS exchange failed.
    #[error("DNS exchange with {server} failed")]
    Io {
        /// The server.
        server: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A DNS message could not be built or read.
    #[error("invalid DNS message for {name}")]
    Message {
        /// The record name.
        name: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The server refused a dynamic update.
    #[error("{server} refused the update of {name}: {rcode}")]
    Refused {
        /// The server.
        server: String,
        /// The record name.
        name: String,
        /// The DNS response code.
        rcode: String,
    },
    /// The record never became visible.
    #[error("TXT record {fqdn} not visible on {resolvers} after {after:?}")]
    NotPropagated {
        /// The record name.
        fqdn: String,
        /// The resolvers asked.
        resolvers: String,
        /// How long we waited.
        after: Duration,
    },
}

/// `_acme-challenge.<domain>.` for `domain` (a leading `*.` is dropped).
pub fn challenge_fqdn(domain: &str) -> String {
    let bare = domain.strip_prefix("*.").unwrap_or(domain);
    format!("_acme-challenge.{}.", bare.trim_end_matches('.'))
}

// === impl ChallengeRecord ===

impl ChallengeRecord {
    /// The record for `domain` (a leading `*.` is dropped).
    pub fn new(domain: &str, token: &str, key_authorization: &str, value: &str) -> Self {
        let bare = domain.strip_prefix("*.").unwrap_or(domain);
        ChallengeRecord {
            domain: bare.to_owned(),
            fqdn: challenge_fqdn(bare),
            value: value.to_owned(),
            token: token.to_owned(),
            key_authorization: key_authorization.to_owned(),
        }
    }
}
