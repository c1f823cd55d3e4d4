//! ACME certificate resolvers: obtain, store and renew certificates as Traefik's
//! `certificatesResolvers.<name>.acme` does.
//!
//! The protocol is [`instant_acme`]'s; this crate adds what a reverse proxy needs
//! around it:
//!
//! - [`storage`]: Traefik's `acme.json` (accounts and certificates of several resolvers
//!   in one file), read as is and written atomically with mode 0600;
//! - [`challenge`]: HTTP-01 (a tower service for `/.well-known/acme-challenge/`),
//!   TLS-ALPN-01 (challenge certificates picked during the handshake) and DNS-01
//!   (providers `exec` and `rfc2136`, plus a propagation check);
//! - [`domains`]: which names a router's certificate covers;
//! - [`Issuer`]: one order from account to certificate chain;
//! - [`Manager`]: a resolver's certificates: reuse what is stored, obtain what is
//!   missing, renew what is due, retry with [`Backoff`].
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use portico_acme::{Challenges, CertDomains, Manager, storage::AcmeStorage};
//! use portico_config::model::{AcmeResolverSpec, TlsChallengeSpec};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut spec = AcmeResolverSpec::new("le");
//! spec.email = Some("ops@example.com".into());
//! spec.tls_challenge = Some(TlsChallengeSpec::default());
//! let storage = AcmeStorage::open(&spec.storage)?;
//! let challenges = Challenges::default();
//! // Serve `challenges.tls_alpn01` from the TLS acceptor, then:
//! let manager = Manager::new(Arc::new(spec), storage, challenges)?;
//! let cert = manager.ensure(&CertDomains::new("example.com", Vec::<String>::new())).await?;
//! println!("{} until {:?}", cert.serial, cert.not_after);
//! # Ok(()) }
//! ```

pub mod challenge;
mod client;
pub mod domains;
mod error;
mod issuer;
mod keys;
mod manager;
pub mod renewal;
pub mod storage;

pub use self::{
    challenge::Challenges,
    client::ClientError,
    domains::{CertDomains, DomainError, domains_for_router},
    error::{AcmeError, ErrorKind},
    issuer::{IssuedCertificate, Issuer},
    keys::KeyError,
    manager::Manager,
    renewal::{Backoff, RenewalDecision},
};
