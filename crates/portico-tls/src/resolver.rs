//! The rustls certificate resolver over one snapshot's certificate store.

use std::sync::Arc;

use rustls::{
    server::{ClientHello, ResolvesServerCert},
    sign::CertifiedKey,
};

use crate::{ACME_TLS_ALPN, CertStore};

/// Picks the certificate for a handshake from one snapshot's store (shared by
/// every options set of that snapshot), honouring the options' `sniStrict`.
#[derive(Debug)]
pub(crate) struct StoreResolver {
    pub(crate) store: Arc<CertStore>,
    pub(crate) strict: bool,
    /// Answer TLS-ALPN-01 challenges (ALPN `acme-tls/1` alone) with the store's
    /// challenge certificates.
    pub(crate) acme: bool,
    /// Pending challenges of running ACME orders, looked up first.
    pub(crate) challenges: Option<Arc<dyn crate::ChallengeCertificates>>,
}

// === impl StoreResolver ===

impl ResolvesServerCert for StoreResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let sni = hello.server_name();
        if self.acme && is_acme_challenge(&hello) {
            let name = sni.map(crate::normalize_name);
            let pending = match (&self.challenges, &name) {
                (Some(lookup), Some(name)) => lookup.challenge_certificate(name),
                _ => None,
            };
            let cert = pending.or_else(|| {
                name.as_deref()
                    .and_then(|n| self.store.acme_challenge(n))
                    .map(|c| c.certified_key().clone())
            });
            if cert.is_none() {
                tracing::debug!(?sni, "no TLS-ALPN-01 challenge certificate");
            }
            return cert;
        }
        match self.store.select(sni, self.strict) {
            Some((key, how)) => {
                tracing::trace!(?sni, ?how, "certificate selected");
                Some(key)
            }
            None => {
                tracing::debug!(
                    ?sni,
                    strict = self.strict,
                    "no certificate for the handshake"
                );
                None
            }
        }
    }
}

/// RFC 8737: the validation client offers `acme-tls/1` and nothing else.
fn is_acme_challenge(hello: &ClientHello<'_>) -> bool {
    let Some(mut alpn) = hello.alpn() else {
        return false;
    };
    alpn.next() == Some(ACME_TLS_ALPN) && alpn.next().is_none()
}
