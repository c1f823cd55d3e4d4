//! TLS termination for Portico's entrypoints, on rustls with the *ring* provider.
//!
//! The pieces, from files to requests:
//!
//! - [`Certificate`]: a certificate chain and its private key, loaded from a file or
//!   from inline PEM ([`PemSource`], as Traefik's `certFile`/`keyFile` accept), with
//!   the DNS names it serves and its expiry.
//! - [`CertStore`]: an immutable index of certificates by exact name and by
//!   single-label wildcard, with a default certificate and, failing that, a
//!   self-signed `TRAEFIK DEFAULT CERT` generated once per process.
//! - [`TlsOptions`]: Traefik's `tls.options.<name>` as typed values (versions,
//!   cipher suites, curves, ALPN, `sniStrict`, [`ClientAuth`] with the five
//!   [`ClientAuthType`]s, session tickets), mapped to a rustls `ServerConfig`.
//! - [`TlsRegistry`]: the current [`TlsSnapshot`] (certificates, one `ServerConfig`
//!   per options name, the host → options map) behind one `ArcSwap`; [`publish`]
//!   applies a change to the next handshake without touching open connections.
//! - [`TlsAcceptor`]: an axum-server acceptor that reads the ClientHello, picks the
//!   options by SNI, completes the handshake within a timeout and hands the
//!   connection's [`TlsInfo`] to the service.
//! - [`TlsInfoLayer`] / [`TlsInfoService`]: put that `Arc<TlsInfo>` (the
//!   `portico_core` type, re-exported) into every request's extensions;
//!   [`misdirected`] tells when the `Host` header selects other options than the
//!   SNI did (answer `421`).
//!
//! The crate takes typed values and knows nothing of Portico's configuration.
//!
//! # Example
//!
//! ```
//! use std::{sync::Arc, time::Duration};
//! use portico_tls::{CertStore, TlsAcceptor, TlsOptions, TlsRegistry};
//!
//! let registry = Arc::new(TlsRegistry::new());
//! let mut builder = registry.builder();
//! builder
//!     .certificates(CertStore::builder().build()) // the generated default cert only
//!     .options("default", TlsOptions::default())
//!     .options("modern", TlsOptions {
//!         min_version: "VersionTLS13".parse().unwrap(),
//!         ..TlsOptions::default()
//!     })
//!     .host("secure.example.com", "modern");
//! let (snapshot, errors) = builder.build();
//! assert!(errors.is_empty());
//! registry.publish(snapshot);
//!
//! // Around any inner axum-server acceptor (here the no-op one):
//! let acceptor = TlsAcceptor::new(registry.clone()).handshake_timeout(Duration::from_secs(10));
//! # let _ = acceptor;
//! assert_eq!(&*registry.load().options_name(Some("secure.example.com")), "modern");
//! ```
//!
//! [`publish`]: TlsRegistry::publish

mod acceptor;
mod cert;
mod client_auth;
mod generated;
mod info;
mod names;
mod options;
mod registry;
mod resolver;
mod sessions;
mod store;

pub use portico_core::TlsInfo;

pub use self::{
    acceptor::{AcceptFuture, HandshakeError, TlsAcceptor},
    cert::{CertError, Certificate, PemSource},
    client_auth::{ClientAuth, ClientAuthType},
    info::{TlsInfoLayer, TlsInfoService, cipher_suite_name, version_name},
    options::{OptionsError, OptionsWarning, TlsOptions, TlsVersion, client_cipher_suites},
    registry::{
        ChallengeCertificates, SnapshotBuilder, SnapshotError, TlsRegistry, TlsSnapshot,
        misdirected,
    },
    store::{CertStore, CertStoreBuilder, Selection, normalize_name},
};

/// The ALPN protocol of ACME's TLS-ALPN-01 challenge (RFC 8737).
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// The name of the options that apply when none is named (Traefik's `default`).
pub const DEFAULT_OPTIONS: &str = "default";
