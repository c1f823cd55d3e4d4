//! Certificate resolvers at run time: which names routers want from which
//! resolver ([`wanted`]), obtaining what is missing, serving what is stored,
//! renewing what is due (the ACME task). Obtained certificates reach the TLS store
//! as the `acme` provider's `tls.certificates`, through the same snapshot-and-swap
//! path as every other configuration change, so the next handshake uses them.

mod task;
mod wanted;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
    sync::Arc,
    time::{Duration, SystemTime},
};

use portico_acme::{
    CertDomains, Challenges, IssuedCertificate, Manager,
    challenge::{
        dns01::{Dns01, DnsProvider, ExecProvider, PropagationCheck, Rfc2136Provider},
        http01::Http01Tokens,
        tls_alpn01::TlsAlpnCertificates,
    },
    storage::AcmeStorage,
};
use portico_config::{
    model::{AcmeResolverSpec, DnsProviderKind, InstallModel},
    raw::{RoutingConfig, routing::TlsCertificate, routing::TlsConfig},
};
use portico_provider_file::Loaded;
use portico_tls::{ChallengeCertificates, TlsRegistry};
use rustls::sign::CertifiedKey;
use tokio::sync::{mpsc, watch};
use tracing::{error, info};

pub(crate) use self::wanted::wanted;
use super::ProviderUpdate;

/// The provider name ACME certificates are published under.
pub(crate) const PROVIDER: &str = "acme";

/// What routers want: resolver name → the certificates (sets of names) it must hold.
pub(crate) type Wanted = BTreeMap<String, BTreeSet<CertDomains>>;

/// The running resolvers, owned by the supervisor. Dropping it (the supervisor
/// stops) stops the ACME task and aborts its orders.
#[derive(Debug)]
pub(crate) struct AcmeRuntime {
    resolvers: Arc<Resolvers>,
    /// HTTP-01 answers, served on each `httpChallenge.entryPoint`.
    pub(crate) http01: Http01Tokens,
    /// The entrypoints answering HTTP-01 challenges.
    pub(crate) http01_entry_points: BTreeSet<String>,
    wanted: watch::Sender<Wanted>,
}

/// The resolvers that started, by name; shared with the ACME task.
#[derive(Debug)]
struct Resolvers {
    managers: BTreeMap<String, Arc<Manager>>,
}

/// TLS-ALPN-01 certificates, looked up by the TLS acceptor.
#[derive(Debug)]
struct AlpnLookup(TlsAlpnCertificates);

impl ChallengeCertificates for AlpnLookup {
    fn challenge_certificate(&self, domain: &str) -> Option<Arc<CertifiedKey>> {
        self.0.get(domain)
    }
}

// === impl AcmeRuntime ===

impl AcmeRuntime {
    /// Opens every resolver's storage and account state; `None` without resolvers.
    /// A resolver that cannot start (unreadable storage, bad DNS provider settings)
    /// is logged and left out: routers naming it get no certificate from it.
    pub(crate) fn start(
        install: &InstallModel,
        tls: &TlsRegistry,
        updates: mpsc::Sender<ProviderUpdate>,
    ) -> Option<Arc<AcmeRuntime>> {
        if install.certificate_resolvers.is_empty() {
            return None;
        }
        let http01 = Http01Tokens::default();
        let tls_alpn01 = TlsAlpnCertificates::default();
        let mut storages: BTreeMap<PathBuf, Arc<AcmeStorage>> = BTreeMap::new();
        let mut managers = BTreeMap::new();
        let mut http01_entry_points = BTreeSet::new();
        for (name, spec) in &install.certificate_resolvers {
            match open_resolver(spec, &mut storages, &http01, &tls_alpn01) {
                Ok(manager) => {
                    if let Some(http) = &spec.http_challenge {
                        http01_entry_points.insert(http.entry_point.clone());
                    }
                    managers.insert(name.clone(), Arc::new(manager));
                }
                Err(e) => error!(resolver = %name, "certificate resolver disabled: {e}"),
            }
        }
        tls.set_challenge_certificates(Arc::new(AlpnLookup(tls_alpn01)));
        let (wanted, wanted_rx) = watch::channel(Wanted::new());
        let resolvers = Arc::new(Resolvers { managers });
        tokio::spawn(task::run(resolvers.clone(), wanted_rx, updates));
        Some(Arc::new(AcmeRuntime {
            resolvers,
            http01,
            http01_entry_points,
            wanted,
        }))
    }

    /// The certificates already stored, as the `acme` provider's configuration (so
    /// a restart serves them at once, without a new order).
    pub(crate) fn stored_config(&self) -> RoutingConfig {
        self.resolvers.stored_config()
    }

    /// Records what the routers of a new configuration want.
    pub(crate) fn want(&self, wanted: Wanted) {
        self.wanted.send_if_modified(|current| {
            let changed = *current != wanted;
            *current = wanted;
            changed
        });
    }
}

// === impl Resolvers ===

impl Resolvers {
    /// Every stored certificate of every resolver as `tls.certificates`.
    fn stored_config(&self) -> RoutingConfig {
        let certs: Vec<IssuedCertificate> =
            self.managers.values().flat_map(|m| m.stored()).collect();
        certificates_config(&certs)
    }

    /// The shortest check interval of the stored certificates (at least 1 s; 1 day
    /// when nothing is stored).
    fn check_interval(&self) -> Duration {
        let now = SystemTime::now();
        self.managers
            .values()
            .map(|m| m.next_check(now))
            .min()
            .unwrap_or(Duration::from_secs(24 * 3600))
            .max(Duration::from_secs(1))
    }

    /// Renews every certificate due now, resolver after resolver; whether any was
    /// renewed. A failed renewal leaves the current certificate serving.
    async fn renew_due(&self) -> bool {
        let mut renewed = false;
        for (name, manager) in &self.managers {
            for result in manager.renew_due(SystemTime::now()).await {
                match result {
                    Ok(cert) => {
                        info!(resolver = %name, domains = %cert.domains, serial = %cert.serial, "certificate renewed");
                        renewed = true;
                    }
                    Err(e) => {
                        error!(resolver = %name, "renewal failed, the current certificate keeps serving: {e}")
                    }
                }
            }
        }
        renewed
    }
}

fn open_resolver(
    spec: &AcmeResolverSpec,
    storages: &mut BTreeMap<PathBuf, Arc<AcmeStorage>>,
    http01: &Http01Tokens,
    tls_alpn01: &TlsAlpnCertificates,
) -> Result<Manager, String> {
    let storage = match storages.get(&spec.storage) {
        Some(s) => s.clone(),
        None => {
            let s = AcmeStorage::open(&spec.storage)
                .map_err(|e| format!("storage {:?}: {e}", spec.storage))?;
            storages.insert(spec.storage.clone(), s.clone());
            s
        }
    };
    let dns01 = match &spec.dns_challenge {
        None => None,
        Some(dns) => {
            // lego's convention: DNS providers read their settings from the process
            // environment (EXEC_PATH, RFC2136_NAMESERVER, ...).
            let var = |name: &str| std::env::var(name).ok();
            let provider: Arc<dyn DnsProvider> = match dns.provider {
                DnsProviderKind::Exec => {
                    Arc::new(ExecProvider::from_vars(var).map_err(|e| e.to_string())?)
                }
                DnsProviderKind::Rfc2136 => {
                    Arc::new(Rfc2136Provider::from_vars(var).map_err(|e| e.to_string())?)
                }
            };
            Some(Arc::new(Dns01 {
                provider,
                propagation: PropagationCheck::from_spec(dns),
            }))
        }
    };
    let challenges = Challenges {
        http01: http01.clone(),
        tls_alpn01: tls_alpn01.clone(),
        dns01,
    };
    Manager::new(Arc::new(spec.clone()), storage, challenges).map_err(|e| e.to_string())
}

/// Publishes the stored certificates as the `acme` provider's configuration.
async fn publish(resolvers: &Resolvers, updates: &mpsc::Sender<ProviderUpdate>) {
    let update = ProviderUpdate {
        provider: PROVIDER,
        result: Ok(Loaded {
            config: resolvers.stored_config(),
            files: Vec::new(),
            warnings: Vec::new(),
        }
        .into()),
    };
    let _ = updates.send(update).await;
}

/// The `tls.certificates` of `certs` (inline PEM, newest last).
fn certificates_config(certs: &[IssuedCertificate]) -> RoutingConfig {
    let certificates = certs
        .iter()
        .map(|c| TlsCertificate {
            cert_file: Some(c.chain_pem.clone()),
            key_file: Some(c.key_pem.clone()),
            ..TlsCertificate::default()
        })
        .collect();
    RoutingConfig {
        tls: Some(TlsConfig {
            certificates: Some(certificates),
            ..TlsConfig::default()
        }),
        ..RoutingConfig::default()
    }
}
