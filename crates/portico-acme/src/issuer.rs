//! One ACME order, from account to certificate chain.
//!
//! The account is loaded from `acme.json` when its key can sign for instant-acme
//! (ECDSA P-256, PKCS#8) and its URL is on the configured CA's host (Traefik's
//! rule); otherwise a new account is registered and stored. Traefik's own accounts
//! use RSA keys, which instant-acme cannot sign with: such an account is replaced by
//! a new one (its certificates are kept and renewed).

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use instant_acme::{
    Account, AuthorizationStatus, ChallengeType, ExternalAccountKey, Identifier, NewAccount,
    NewOrder, Order, OrderStatus, RetryPolicy,
};
use portico_config::model::AcmeResolverSpec;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer, pem::PemObject};

use crate::{
    CertDomains, Challenges,
    challenge::dns01::ChallengeRecord,
    client::CaClient,
    error::{AcmeError, ErrorKind},
    keys,
    storage::{AcmeStorage, Registration, StoredAccount, StoredCertificate, StoredDomain},
};

mod order;

/// A certificate and its key, as obtained or as read back from `acme.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCertificate {
    /// The names it was ordered for.
    pub domains: CertDomains,
    /// The PEM chain, leaf first.
    pub chain_pem: String,
    /// The PEM private key.
    pub key_pem: String,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// The leaf's serial number, lower-case hex.
    pub serial: String,
}

/// Places orders for one resolver.
pub struct Issuer {
    spec: Arc<AcmeResolverSpec>,
    storage: Arc<AcmeStorage>,
    challenges: Challenges,
    client: CaClient,
    account: tokio::sync::Mutex<Option<Account>>,
    orders: AtomicU64,
}

// === impl IssuedCertificate ===

impl IssuedCertificate {
    /// Parses a PEM chain (leaf first) and key ordered for `domains`.
    pub fn from_pem(
        domains: CertDomains,
        chain_pem: String,
        key_pem: String,
    ) -> Result<Self, String> {
        let leaf = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
            .next()
            .ok_or_else(|| "no certificate in the PEM chain".to_owned())?
            .map_err(|e| e.to_string())?;
        let (_, cert) =
            x509_parser::parse_x509_certificate(leaf.as_ref()).map_err(|e| e.to_string())?;
        let time = |t: x509_parser::time::ASN1Time| {
            let secs = t.timestamp();
            match u64::try_from(secs) {
                Ok(s) => SystemTime::UNIX_EPOCH + Duration::from_secs(s),
                Err(_) => SystemTime::UNIX_EPOCH,
            }
        };
        Ok(IssuedCertificate {
            domains,
            not_before: time(cert.validity().not_before),
            not_after: time(cert.validity().not_after),
            serial: cert.raw_serial_as_string().replace(':', ""),
            chain_pem,
            key_pem,
        })
    }

    /// Reads a certificate stored in `acme.json`.
    pub fn from_stored(stored: &StoredCertificate) -> Result<Self, String> {
        let names = stored.names();
        let domains = CertDomains::new(
            names.first().cloned().unwrap_or_default(),
            names.iter().skip(1).cloned(),
        );
        Self::from_pem(domains, stored.certificate_pem(), stored.key_pem())
    }

    /// The `acme.json` entry for this certificate (store `default`).
    pub fn to_stored(&self) -> StoredCertificate {
        StoredCertificate {
            domain: StoredDomain {
                main: self.domains.main.clone(),
                sans: self.domains.sans.clone(),
            },
            certificate: self.chain_pem.clone().into_bytes(),
            key: self.key_pem.clone().into_bytes(),
            store: "default".to_owned(),
        }
    }

    /// The chain as DER, leaf first.
    pub fn chain_der(&self) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(self.chain_pem.as_bytes())
            .filter_map(Result::ok)
            .collect()
    }
}

// === impl Issuer ===

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("resolver", &self.spec.name)
            .field("ca_server", &self.spec.ca_server)
            .field("orders", &self.orders_placed())
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// An issuer for `spec`, storing its account in `storage` and publishing answers
    /// in `challenges`.
    pub fn new(
        spec: Arc<AcmeResolverSpec>,
        storage: Arc<AcmeStorage>,
        challenges: Challenges,
    ) -> Result<Self, AcmeError> {
        let client = CaClient::new(&spec)
            .map_err(|e| AcmeError::new(&spec.name, Vec::new(), ErrorKind::Client(e)))?;
        Ok(Issuer {
            spec,
            storage,
            challenges,
            client,
            account: tokio::sync::Mutex::new(None),
            orders: AtomicU64::new(0),
        })
    }

    /// The resolver's configuration.
    pub fn spec(&self) -> &AcmeResolverSpec {
        &self.spec
    }

    /// How many orders this issuer placed (restarts that reuse `acme.json` place none).
    pub fn orders_placed(&self) -> u64 {
        self.orders.load(Ordering::Relaxed)
    }

    fn dns01_ready(&self) -> bool {
        self.spec.dns_challenge.is_some() && self.challenges.dns01.is_some()
    }

    fn acme_err(&self) -> impl Fn(instant_acme::Error) -> ErrorKind + '_ {
        |error| ErrorKind::Acme {
            ca_server: self.spec.ca_server.clone(),
            error,
        }
    }

    /// Obtains a certificate for `domains`: checks the names, places an order,
    /// answers the challenges, finalizes with a new key of the configured type and
    /// downloads the chain. Published challenge answers are withdrawn in every case.
    pub async fn obtain(&self, domains: &CertDomains) -> Result<IssuedCertificate, AcmeError> {
        let err = |names: Vec<String>, kind| AcmeError::new(&self.spec.name, names, kind);
        let names = domains
            .check(self.dns01_ready())
            .map_err(|e| err(domains.names(), ErrorKind::Domains(e)))?;
        let account = self.account().await.map_err(|k| err(names.clone(), k))?;
        let identifiers: Vec<Identifier> =
            names.iter().map(|n| Identifier::Dns(n.clone())).collect();
        let mut new_order = NewOrder::new(&identifiers);
        if let Some(profile) = &self.spec.profile {
            new_order = new_order.profile(profile);
        }
        let mut order = account
            .new_order(&new_order)
            .await
            .map_err(|e| err(names.clone(), self.acme_err()(e)))?;
        self.orders.fetch_add(1, Ordering::Relaxed);
        tracing::info!(resolver = %self.spec.name, domains = %domains, "ACME order placed");

        let mut published = Vec::new();
        let result = self.answer_challenges(&mut order, &mut published).await;
        let result = match result {
            Ok(()) => self.finish(&mut order, domains, &names).await,
            Err(kind) => Err(kind),
        };
        self.withdraw(published).await;
        result.map_err(|k| err(names, k))
    }

    async fn finish(
        &self,
        order: &mut Order,
        domains: &CertDomains,
        names: &[String],
    ) -> Result<IssuedCertificate, ErrorKind> {
        let acme = self.acme_err();
        let policy = RetryPolicy::new()
            .initial_delay(Duration::from_millis(250))
            .backoff(1.5)
            .timeout(self.spec.client_timeout);
        match order.poll_ready(&policy).await {
            Ok(OrderStatus::Ready) => {}
            // Invalid, or an order error document: find the failed challenge.
            Ok(_) | Err(instant_acme::Error::Api(_)) => {
                return Err(self.explain_invalid(order).await);
            }
            Err(e) => return Err(acme(e)),
        }
        let key = keys::generate(self.spec.key_type).map_err(ErrorKind::Key)?;
        let csr = keys::csr(
            &key,
            names,
            &self.spec.email_addresses,
            self.spec.disable_common_name,
        )
        .map_err(ErrorKind::Key)?;
        order.finalize_csr(&csr).await.map_err(&acme)?;
        let policy = RetryPolicy::new()
            .initial_delay(Duration::from_millis(250))
            .backoff(1.5)
            .timeout(self.spec.certificate_timeout);
        let chain = order.poll_certificate(&policy).await.map_err(&acme)?;
        if chain.trim().is_empty() {
            return Err(ErrorKind::NoCertificate);
        }
        let issued = IssuedCertificate::from_pem(domains.clone(), chain, key.serialize_pem())
            .map_err(ErrorKind::BadCertificate)?;
        tracing::info!(resolver = %self.spec.name, domains = %domains, serial = %issued.serial, "ACME certificate obtained");
        Ok(issued)
    }

    /// The account: cached, loaded from storage, or registered (and stored).
    async fn account(&self) -> Result<Account, ErrorKind> {
        let mut cached = self.account.lock().await;
        if let Some(account) = cached.as_ref() {
            return Ok(account.clone());
        }
        let acme = self.acme_err();
        if let Some((uri, key)) = self.reusable_account() {
            let account = Account::builder_with_http(Box::new(self.client.clone()))
                .from_parts(
                    uri,
                    PrivatePkcs8KeyDer::from(key),
                    self.spec.ca_server.clone(),
                )
                .await
                .map_err(&acme)?;
            *cached = Some(account.clone());
            return Ok(account);
        }
        let contacts: Vec<String> = self
            .spec
            .email
            .iter()
            .map(|e| format!("mailto:{e}"))
            .collect();
        let contact_refs: Vec<&str> = contacts.iter().map(String::as_str).collect();
        let eab = match &self.spec.eab {
            Some(eab) => {
                let hmac = URL_SAFE_NO_PAD
                    .decode(eab.hmac_encoded.trim_end_matches('='))
                    .map_err(|_| ErrorKind::Eab)?;
                Some(ExternalAccountKey::new(eab.kid.clone(), &hmac))
            }
            None => None,
        };
        let (account, credentials) = Account::builder_with_http(Box::new(self.client.clone()))
            .create(
                &NewAccount {
                    contact: &contact_refs,
                    terms_of_service_agreed: true,
                    only_return_existing: false,
                },
                self.spec.ca_server.clone(),
                eab.as_ref(),
            )
            .await
            .map_err(&acme)?;
        // The credentials are opaque but serialize their PKCS#8 key (base64url).
        let key = serde_json::to_value(&credentials)
            .ok()
            .and_then(|v| {
                v.get("key_pkcs8")
                    .and_then(|k| k.as_str())
                    .map(str::to_owned)
            })
            .and_then(|k| URL_SAFE_NO_PAD.decode(k).ok());
        let stored = StoredAccount {
            email: self.spec.email.clone().unwrap_or_default(),
            registration: Some(Registration {
                body: serde_json::json!({ "status": "valid", "contact": contacts }),
                uri: account.id().to_owned(),
            }),
            private_key: key,
            key_type: self.spec.key_type.lego_name().to_owned(),
        };
        self.storage
            .save_account(&self.spec.name, stored)
            .map_err(ErrorKind::Storage)?;
        tracing::info!(resolver = %self.spec.name, account = account.id(), "ACME account registered");
        *cached = Some(account.clone());
        Ok(account)
    }

    /// The stored account URL and key, when usable with the configured CA.
    fn reusable_account(&self) -> Option<(String, Vec<u8>)> {
        let stored = self.storage.account(&self.spec.name)?;
        let uri = stored.registration.as_ref()?.uri.clone();
        let host = |u: &str| {
            u.parse::<http::Uri>()
                .ok()
                .and_then(|u| u.host().map(str::to_owned))
        };
        if host(&uri).is_none() || host(&uri) != host(&self.spec.ca_server) {
            tracing::info!(resolver = %self.spec.name, "stored account belongs to another CA; registering a new one");
            return None;
        }
        let key = stored.private_key?;
        if instant_acme::Key::from_pkcs8_der(PrivatePkcs8KeyDer::from(key.clone())).is_err() {
            tracing::info!(resolver = %self.spec.name, "stored account key is not ECDSA P-256 (a Traefik RSA key?); registering a new account");
            return None;
        }
        Some((uri, key))
    }
}

/// A challenge answer to withdraw once the order is done.
#[derive(Debug)]
enum Published {
    Http(String),
    TlsAlpn(String),
    Dns(ChallengeRecord),
}

fn challenge_name(kind: &ChallengeType) -> &'static str {
    match kind {
        ChallengeType::Http01 => "http-01",
        ChallengeType::TlsAlpn01 => "tls-alpn-01",
        ChallengeType::Dns01 => "dns-01",
        _ => "unknown",
    }
}

fn is_pending(status: AuthorizationStatus) -> bool {
    matches!(status, AuthorizationStatus::Pending)
}
