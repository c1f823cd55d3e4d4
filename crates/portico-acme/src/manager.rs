//! A resolver's certificates: reuse what `acme.json` holds, obtain what is missing,
//! renew what is due, retry failures with backoff.

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use portico_config::model::AcmeResolverSpec;

use crate::{
    AcmeError, Backoff, CertDomains, Challenges, ErrorKind, IssuedCertificate, Issuer,
    RenewalDecision, renewal, storage::AcmeStorage,
};

/// Manages the certificates of one resolver. See the [crate example](crate).
#[derive(Debug)]
pub struct Manager {
    issuer: Issuer,
    storage: Arc<AcmeStorage>,
    /// One order at a time per resolver: concurrent requests for the same names wait
    /// and then find the stored certificate.
    busy: tokio::sync::Mutex<()>,
}

// === impl Manager ===

impl Manager {
    /// A manager for `spec`; `storage` must be the one opened for `spec.storage` (shared
    /// with the other resolvers storing there).
    pub fn new(
        spec: Arc<AcmeResolverSpec>,
        storage: Arc<AcmeStorage>,
        challenges: Challenges,
    ) -> Result<Self, AcmeError> {
        Ok(Manager {
            issuer: Issuer::new(spec, storage.clone(), challenges)?,
            storage,
            busy: tokio::sync::Mutex::new(()),
        })
    }

    /// The issuer (to count orders, or to order directly).
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    fn name(&self) -> &str {
        &self.issuer.spec().name
    }

    /// Every readable certificate stored for this resolver (unreadable ones are
    /// logged and skipped).
    pub fn stored(&self) -> Vec<IssuedCertificate> {
        self.storage
            .certificates(self.name())
            .iter()
            .filter_map(|c| match IssuedCertificate::from_stored(c) {
                Ok(cert) => Some(cert),
                Err(error) => {
                    tracing::warn!(resolver = %self.name(), domain = %c.domain.main, %error, "unreadable stored certificate");
                    None
                }
            })
            .collect()
    }

    /// The stored certificate ordered for exactly these names (in any order).
    pub fn find(&self, domains: &CertDomains) -> Option<IssuedCertificate> {
        let mut wanted = domains.names();
        wanted.sort();
        self.stored().into_iter().find(|c| {
            let mut names = c.domains.names();
            names.sort();
            names == wanted
        })
    }

    /// The certificate for `domains`: the stored one if there is one (even when due:
    /// renewal replaces it, and until then it keeps serving), else a new one, stored.
    pub async fn ensure(&self, domains: &CertDomains) -> Result<IssuedCertificate, AcmeError> {
        if let Some(cert) = self.find(domains) {
            return Ok(cert);
        }
        let _busy = self.busy.lock().await;
        if let Some(cert) = self.find(domains) {
            return Ok(cert);
        }
        self.obtain_and_store(domains).await
    }

    /// [`Manager::ensure`], retrying retryable failures after `backoff` delays, at
    /// most `attempts` times in all; the last error is returned.
    pub async fn ensure_with_retry(
        &self,
        domains: &CertDomains,
        backoff: &mut Backoff,
        attempts: u32,
    ) -> Result<IssuedCertificate, AcmeError> {
        let mut attempt = 1;
        loop {
            match self.ensure(domains).await {
                Ok(cert) => {
                    backoff.reset();
                    return Ok(cert);
                }
                Err(e) if e.is_retryable() && attempt < attempts.max(1) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(resolver = %e.resolver, domains = %domains, error = %e, ?delay, attempt, "ACME failed; retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(e) => {
                    tracing::error!(resolver = %e.resolver, domains = %domains, error = %e, "ACME failed");
                    return Err(e);
                }
            }
        }
    }

    /// Whether `cert` is due at `now` under this resolver's `certificatesDuration`.
    pub fn decision(&self, cert: &IssuedCertificate, now: SystemTime) -> RenewalDecision {
        renewal::decide(
            cert.not_before,
            cert.not_after,
            now,
            self.issuer.spec().certificates_duration,
        )
    }

    /// When to look again: the shortest check interval of the stored certificates
    /// (one day when there are none).
    pub fn next_check(&self, now: SystemTime) -> Duration {
        self.stored()
            .iter()
            .map(|c| self.decision(c, now).next_check)
            .min()
            .unwrap_or(Duration::from_secs(24 * 3600))
    }

    /// Renews every stored certificate due at `now`, one after the other. Each
    /// result is the new certificate (already stored) or why it failed (the old one
    /// stays stored and serving).
    pub async fn renew_due(&self, now: SystemTime) -> Vec<Result<IssuedCertificate, AcmeError>> {
        let due: Vec<IssuedCertificate> = self
            .stored()
            .into_iter()
            .filter(|c| self.decision(c, now).renew)
            .collect();
        let mut out = Vec::with_capacity(due.len());
        for cert in due {
            tracing::info!(resolver = %self.name(), domains = %cert.domains, not_after = ?cert.not_after, "renewing certificate");
            let _busy = self.busy.lock().await;
            out.push(self.obtain_and_store(&cert.domains).await);
        }
        out
    }

    async fn obtain_and_store(
        &self,
        domains: &CertDomains,
    ) -> Result<IssuedCertificate, AcmeError> {
        let cert = self.issuer.obtain(domains).await?;
        self.storage
            .upsert_certificate(self.name(), cert.to_stored())
            .map_err(|e| AcmeError::new(self.name(), domains.names(), ErrorKind::Storage(e)))?;
        Ok(cert)
    }
}
