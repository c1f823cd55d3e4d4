//! Answering an order's challenges, explaining failures, withdrawing answers.

use std::time::Duration;

use instant_acme::{AuthorizationStatus, ChallengeType, Order};

use super::{Issuer, Published, challenge_name, is_pending};
use crate::{challenge::dns01::ChallengeRecord, error::ErrorKind};

impl Issuer {
    /// The challenge to answer for `domain` among `offered`: DNS-01 only for
    /// wildcards; otherwise HTTP-01, then TLS-ALPN-01, then DNS-01, as configured.
    fn pick(&self, wildcard: bool, offered: &[ChallengeType]) -> Option<ChallengeType> {
        let mut wanted = Vec::new();
        if !wildcard {
            if self.spec.http_challenge.is_some() {
                wanted.push(ChallengeType::Http01);
            }
            if self.spec.tls_challenge.is_some() {
                wanted.push(ChallengeType::TlsAlpn01);
            }
        }
        if self.dns01_ready() {
            wanted.push(ChallengeType::Dns01);
        }
        wanted.into_iter().find(|w| offered.contains(w))
    }

    /// Publishes an answer for every pending authorization and tells the CA.
    pub(super) async fn answer_challenges(
        &self,
        order: &mut Order,
        published: &mut Vec<Published>,
    ) -> Result<(), ErrorKind> {
        let acme = self.acme_err();
        let mut authorizations = order.authorizations();
        while let Some(authz) = authorizations.next().await {
            let mut authz = authz.map_err(&acme)?;
            match authz.status {
                AuthorizationStatus::Valid => continue,
                status if is_pending(status) => {}
                _ => {
                    return Err(ErrorKind::Challenge {
                        domain: authz.identifier().to_string(),
                        challenge: "authorization",
                        problem: None,
                    });
                }
            }
            let domain = authz.identifier().to_string();
            let bare = domain.strip_prefix("*.").unwrap_or(&domain).to_owned();
            let offered: Vec<ChallengeType> =
                authz.challenges.iter().map(|c| c.r#type.clone()).collect();
            let no_challenge = || ErrorKind::NoChallenge {
                domain: domain.clone(),
                offered: offered
                    .iter()
                    .map(challenge_name)
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let kind = self
                .pick(authz.wildcard, &offered)
                .ok_or_else(no_challenge)?;
            let mut challenge = authz.challenge(kind.clone()).ok_or_else(no_challenge)?;
            let key_auth = challenge.key_authorization();
            let delay = match kind {
                ChallengeType::Http01 => {
                    self.challenges
                        .http01
                        .insert(&challenge.token, key_auth.as_str());
                    published.push(Published::Http(challenge.token.clone()));
                    self.spec
                        .http_challenge
                        .as_ref()
                        .map_or(Duration::ZERO, |h| h.delay)
                }
                ChallengeType::TlsAlpn01 => {
                    self.challenges
                        .tls_alpn01
                        .insert(&bare, key_auth.digest().as_ref())
                        .map_err(|e| ErrorKind::TlsAlpn(Box::new(e)))?;
                    published.push(Published::TlsAlpn(bare.clone()));
                    self.spec
                        .tls_challenge
                        .as_ref()
                        .map_or(Duration::ZERO, |t| t.delay)
                }
                _ => {
                    let dns = self.challenges.dns01.clone().ok_or_else(no_challenge)?;
                    let record = ChallengeRecord::new(
                        &domain,
                        &challenge.token,
                        key_auth.as_str(),
                        &key_auth.dns_value(),
                    );
                    let dns_err = |source| ErrorKind::Dns {
                        domain: domain.clone(),
                        source,
                    };
                    dns.provider.present(&record).await.map_err(dns_err)?;
                    published.push(Published::Dns(record.clone()));
                    dns.propagation
                        .wait(&record.fqdn, &record.value)
                        .await
                        .map_err(dns_err)?;
                    Duration::ZERO
                }
            };
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            tracing::debug!(resolver = %self.spec.name, %domain, challenge = challenge_name(&kind), "challenge ready");
            challenge.set_ready().await.map_err(&acme)?;
        }
        Ok(())
    }

    /// Why the order became invalid: the first failed challenge with its problem
    /// document, or the order's own error.
    pub(super) async fn explain_invalid(&self, order: &mut Order) -> ErrorKind {
        let order_error = order.state().error.clone();
        let mut authorizations = order.authorizations();
        while let Some(Ok(mut authz)) = authorizations.next().await {
            let Ok(state) = authz.refresh().await else {
                continue;
            };
            if state.status != AuthorizationStatus::Invalid {
                continue;
            }
            let failed = state
                .challenges
                .iter()
                .find(|c| c.error.is_some())
                .or_else(|| state.challenges.first());
            return ErrorKind::Challenge {
                domain: state.identifier().to_string(),
                challenge: failed.map_or("unknown", |c| challenge_name(&c.r#type)),
                problem: failed.and_then(|c| c.error.clone()).or(order_error),
            };
        }
        ErrorKind::OrderInvalid(order_error)
    }

    /// Withdraws every published answer (DNS cleanup failures are only logged).
    pub(super) async fn withdraw(&self, published: Vec<Published>) {
        for p in published {
            match p {
                Published::Http(token) => self.challenges.http01.remove(&token),
                Published::TlsAlpn(domain) => self.challenges.tls_alpn01.remove(&domain),
                Published::Dns(record) => {
                    if let Some(dns) = &self.challenges.dns01
                        && let Err(e) = dns.provider.cleanup(&record).await
                    {
                        tracing::warn!(resolver = %self.spec.name, fqdn = %record.fqdn, error = %e, "DNS-01 cleanup failed");
                    }
                }
            }
        }
    }
}
