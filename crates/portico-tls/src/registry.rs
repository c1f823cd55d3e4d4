//! The current TLS snapshot (certificates, options, host → options) behind one
//! `ArcSwap`, and how snapshots are built.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fmt,
    sync::Arc,
};

use arc_swap::ArcSwap;
use rustls::{ServerConfig, sign::CertifiedKey};

use crate::{
    CertStore, DEFAULT_OPTIONS, OptionsError, OptionsWarning, TlsOptions,
    resolver::StoreResolver,
    sessions::SessionPool,
    store::{normalize_name, wildcard_parent},
};

/// The TLS state every handshake reads: one [`TlsSnapshot`], swapped whole.
///
/// A handshake loads the snapshot once, when the ClientHello has arrived, and
/// completes with it; [`publish`](TlsRegistry::publish) affects the next handshake
/// and never an open connection. One registry can serve every TLS entrypoint
/// (certificates and options are global in Traefik). A new registry holds an empty
/// snapshot, which refuses every handshake until the first publish.
///
/// See the [crate example](crate) for building and publishing a snapshot.
pub struct TlsRegistry {
    current: ArcSwap<TlsSnapshot>,
    pool: Arc<SessionPool>,
    challenges: std::sync::OnceLock<Arc<dyn ChallengeCertificates>>,
}

/// Where TLS-ALPN-01 challenge certificates come from while an ACME order is
/// pending (RFC 8737): looked up at each handshake that offers ALPN `acme-tls/1`
/// alone, so challenges need no new snapshot.
///
/// # Example
///
/// ```
/// use std::{collections::HashMap, sync::{Arc, Mutex}};
/// use portico_tls::{ChallengeCertificates, TlsRegistry};
/// use rustls::sign::CertifiedKey;
///
/// #[derive(Debug, Default)]
/// struct Pending(Mutex<HashMap<String, Arc<CertifiedKey>>>);
///
/// impl ChallengeCertificates for Pending {
///     fn challenge_certificate(&self, domain: &str) -> Option<Arc<CertifiedKey>> {
///         self.0.lock().ok()?.get(domain).cloned()
///     }
/// }
///
/// let registry = TlsRegistry::new();
/// registry.set_challenge_certificates(Arc::new(Pending::default()));
/// ```
pub trait ChallengeCertificates: Send + Sync + fmt::Debug {
    /// The challenge certificate for `domain` (normalized: lower case, no trailing
    /// dot), if an order is waiting for it.
    fn challenge_certificate(&self, domain: &str) -> Option<Arc<CertifiedKey>>;
}

/// An immutable TLS state: the certificate store, one `ServerConfig` per options
/// name (all sharing the store), and which options each host uses.
pub struct TlsSnapshot {
    certs: Arc<CertStore>,
    configs: HashMap<Arc<str>, Arc<ServerConfig>>,
    hosts: HostMap,
    default_name: Arc<str>,
    /// Whether every host uses the default options (no fronting is possible).
    one_options: bool,
}

/// Builds a [`TlsSnapshot`]; obtained from [`TlsRegistry::builder`] so that
/// unchanged options keep their session resumption state across publishes.
pub struct SnapshotBuilder {
    pool: Arc<SessionPool>,
    certs: CertStore,
    options: BTreeMap<Arc<str>, TlsOptions>,
    hosts: BTreeMap<String, HostEntry>,
    acme_tls_alpn: bool,
    challenges: Option<Arc<dyn ChallengeCertificates>>,
}

/// A problem found while building a snapshot. The snapshot is still built: a
/// failed options set is left out (handshakes that select it are refused), a host
/// whose options are unknown or conflicting uses the default options.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// An options set cannot be built.
    #[error("TLS options {name:?} cannot be built")]
    Options {
        /// The options name.
        name: Arc<str>,
        /// Why.
        #[source]
        source: OptionsError,
    },
    /// An options set builds, but is served differently than written.
    #[error("TLS options {name:?}: {warning}")]
    Warning {
        /// The options name.
        name: Arc<str>,
        /// What differs.
        warning: OptionsWarning,
    },
    /// A host names options that were not given.
    #[error("host {host:?} uses unknown TLS options {name:?}")]
    UnknownOptions {
        /// The host.
        host: String,
        /// The options name.
        name: Arc<str>,
    },
    /// A host is given different options by different routers (Traefik then uses
    /// the default options for it).
    #[error(
        "host {host:?} is given conflicting TLS options {names:?}; it uses the default options"
    )]
    ConflictingOptions {
        /// The host.
        host: String,
        /// Every name it was given.
        names: Vec<Arc<str>>,
    },
}

#[derive(Debug, Default)]
struct HostEntry {
    names: Vec<Arc<str>>,
}

/// Host → options name: exact names and `*.parent` wildcards.
#[derive(Debug, Default)]
struct HostMap {
    exact: HashMap<Box<str>, Arc<str>>,
    wildcard: HashMap<Box<str>, Arc<str>>,
}

/// Whether a request's `Host` selects other TLS options than the connection's SNI
/// did: domain fronting, which Traefik answers with `421 Misdirected Request`.
///
/// `host` may carry a port (`a.example.com:443`, `[::1]:443`); names are compared
/// case-insensitively without trailing dots. Equal names never differ; otherwise
/// each is mapped through the snapshot's host → options map (no SNI means the
/// default options) and the option names compared, as Traefik's `snicheck`.
///
/// ```
/// use portico_tls::{TlsOptions, TlsRegistry, misdirected};
///
/// let registry = TlsRegistry::new();
/// let mut builder = registry.builder();
/// builder
///     .options("default", TlsOptions::default())
///     .options("mtls", TlsOptions::default())
///     .host("secure.example.com", "mtls");
/// let (snapshot, _) = builder.build();
/// assert!(misdirected(&snapshot, Some("www.example.com"), "secure.example.com"));
/// assert!(!misdirected(&snapshot, Some("Secure.Example.com"), "secure.example.com:443"));
/// assert!(!misdirected(&snapshot, Some("www.example.com"), "other.example.com"));
/// assert!(misdirected(&snapshot, None, "secure.example.com"));
/// ```
pub fn misdirected(snapshot: &TlsSnapshot, sni: Option<&str>, host: &str) -> bool {
    // When every host uses the default options, every name selects them.
    if snapshot.one_options {
        return false;
    }
    let host = normalize_name(strip_port(host));
    let sni = sni.map(normalize_name);
    if sni.as_deref() == Some(&*host) {
        return false;
    }
    snapshot.options_name(Some(&host)) != snapshot.options_name(sni.as_deref())
}

/// `host:port` → `host`; `[v6]:port` and `[v6]` → `v6`.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(ip, _)| ip);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

// === impl TlsRegistry ===

impl TlsRegistry {
    /// A registry holding an empty snapshot (every handshake refused until the
    /// first [`publish`](TlsRegistry::publish)).
    pub fn new() -> Self {
        TlsRegistry {
            current: ArcSwap::from_pointee(TlsSnapshot::empty()),
            pool: Arc::default(),
            challenges: std::sync::OnceLock::new(),
        }
    }

    /// Answers TLS-ALPN-01 handshakes from `lookup` in every snapshot built from now
    /// on (ALPN `acme-tls/1` is offered by every options set). Set once, at start;
    /// a second call is ignored.
    pub fn set_challenge_certificates(&self, lookup: Arc<dyn ChallengeCertificates>) {
        let _ = self.challenges.set(lookup);
    }

    /// A builder for the next snapshot.
    pub fn builder(&self) -> SnapshotBuilder {
        SnapshotBuilder {
            pool: self.pool.clone(),
            certs: CertStore::default(),
            options: BTreeMap::new(),
            hosts: BTreeMap::new(),
            acme_tls_alpn: self.challenges.get().is_some(),
            challenges: self.challenges.get().cloned(),
        }
    }

    /// Makes `snapshot` the one the next handshake uses.
    pub fn publish(&self, snapshot: TlsSnapshot) {
        self.current.store(Arc::new(snapshot));
    }

    /// The current snapshot.
    pub fn load(&self) -> Arc<TlsSnapshot> {
        self.current.load_full()
    }
}

impl Default for TlsRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TlsRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsRegistry")
            .field("current", &self.current.load())
            .finish_non_exhaustive()
    }
}

// === impl TlsSnapshot ===

impl TlsSnapshot {
    /// A snapshot with no options: every handshake is refused.
    pub fn empty() -> Self {
        TlsSnapshot {
            certs: Arc::default(),
            configs: HashMap::new(),
            hosts: HostMap::default(),
            default_name: DEFAULT_OPTIONS.into(),
            one_options: true,
        }
    }

    /// The options name for a host or SNI: its exact entry, else its `*.parent`
    /// entry, else `default`. `None` (no SNI) is the default.
    pub fn options_name(&self, host: Option<&str>) -> Arc<str> {
        let Some(host) = host else {
            return self.default_name.clone();
        };
        let host = normalize_name(host);
        if let Some(name) = self.hosts.exact.get(&*host) {
            return name.clone();
        }
        wildcard_parent(&host)
            .and_then(|parent| self.hosts.wildcard.get(parent))
            .unwrap_or(&self.default_name)
            .clone()
    }

    /// The options name and `ServerConfig` for a handshake's SNI; no config when
    /// that options set failed to build (the handshake is refused).
    pub fn select(&self, sni: Option<&str>) -> (Arc<str>, Option<Arc<ServerConfig>>) {
        let name = self.options_name(sni);
        let config = self.configs.get(&name).cloned();
        (name, config)
    }

    /// The `ServerConfig` built for an options name.
    pub fn server_config(&self, name: &str) -> Option<&Arc<ServerConfig>> {
        self.configs.get(name)
    }

    /// The certificate store.
    pub fn certificates(&self) -> &CertStore {
        &self.certs
    }
}

impl fmt::Debug for TlsSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut options: Vec<_> = self.configs.keys().collect();
        options.sort();
        f.debug_struct("TlsSnapshot")
            .field("certificates", &self.certs.len())
            .field("options", &options)
            .field(
                "hosts",
                &(self.hosts.exact.len() + self.hosts.wildcard.len()),
            )
            .finish()
    }
}

// === impl SnapshotBuilder ===

impl SnapshotBuilder {
    /// The certificate store (default: empty, so the generated certificate).
    pub fn certificates(&mut self, store: CertStore) -> &mut Self {
        self.certs = store;
        self
    }

    /// An options set under a name; `default` applies to hosts without a name and
    /// to handshakes without SNI. When no `default` is given, Traefik's defaults
    /// ([`TlsOptions::default`]) are used for it.
    pub fn options(&mut self, name: impl Into<Arc<str>>, options: TlsOptions) -> &mut Self {
        self.options.insert(name.into(), options);
        self
    }

    /// Uses options `name` for a host from a router's `Host` rule (exact, or a
    /// `*.parent` wildcard). Giving a host two different names is a conflict,
    /// reported by [`build`](SnapshotBuilder::build); the host then uses `default`.
    pub fn host(&mut self, host: &str, name: &str) -> &mut Self {
        let entry = self
            .hosts
            .entry(normalize_name(host).into_owned())
            .or_default();
        if !entry.names.iter().any(|n| &**n == name) {
            entry.names.push(name.into());
        }
        self
    }

    /// Offers ALPN `acme-tls/1` on every options set and answers TLS-ALPN-01
    /// handshakes with the store's challenge certificates
    /// ([`CertStoreBuilder::acme_challenge`](crate::CertStoreBuilder::acme_challenge)).
    /// Off by default; the hook for the ACME resolver.
    pub fn acme_tls_alpn(&mut self, on: bool) -> &mut Self {
        self.acme_tls_alpn = on;
        self
    }

    /// The snapshot and every problem found (see [`SnapshotError`]). Reads client
    /// CA files (blocking).
    pub fn build(self) -> (TlsSnapshot, Vec<SnapshotError>) {
        let SnapshotBuilder {
            pool,
            certs,
            mut options,
            hosts,
            acme_tls_alpn,
            challenges,
        } = self;
        let default_name: Arc<str> = DEFAULT_OPTIONS.into();
        options
            .entry(default_name.clone())
            .or_insert_with(TlsOptions::default);
        let certs = Arc::new(certs);
        let mut errors = Vec::new();
        let mut configs = HashMap::new();
        for (name, opts) in &options {
            match build_one(&pool, name, opts, &certs, acme_tls_alpn, &challenges) {
                Ok((config, warnings)) => {
                    errors.extend(warnings.into_iter().map(|warning| SnapshotError::Warning {
                        name: name.clone(),
                        warning,
                    }));
                    configs.insert(name.clone(), Arc::new(config));
                }
                Err(source) => {
                    tracing::warn!(options = %name, error = %source, "TLS options not built");
                    errors.push(SnapshotError::Options {
                        name: name.clone(),
                        source,
                    });
                }
            }
        }
        pool.retain(&options.keys().cloned().collect::<HashSet<_>>());

        let mut map = HostMap::default();
        for (host, entry) in hosts {
            let name = match entry.names.as_slice() {
                [name] => name.clone(),
                _ => {
                    errors.push(SnapshotError::ConflictingOptions {
                        host,
                        names: entry.names,
                    });
                    continue;
                }
            };
            if !options.contains_key(&name) {
                errors.push(SnapshotError::UnknownOptions { host, name });
                continue;
            }
            match host.strip_prefix("*.") {
                Some(parent) => map.wildcard.insert(parent.into(), name),
                None => map.exact.insert(host.into(), name),
            };
        }
        let one_options = map
            .exact
            .values()
            .chain(map.wildcard.values())
            .all(|name| *name == default_name);
        let snapshot = TlsSnapshot {
            certs,
            configs,
            hosts: map,
            default_name,
            one_options,
        };
        (snapshot, errors)
    }
}

impl fmt::Debug for SnapshotBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapshotBuilder")
            .field("certificates", &self.certs.len())
            .field("options", &self.options.keys().collect::<Vec<_>>())
            .field("hosts", &self.hosts.len())
            .field("acme_tls_alpn", &self.acme_tls_alpn)
            .finish()
    }
}

fn build_one(
    pool: &SessionPool,
    name: &Arc<str>,
    options: &TlsOptions,
    certs: &Arc<CertStore>,
    acme_tls_alpn: bool,
    challenges: &Option<Arc<dyn ChallengeCertificates>>,
) -> Result<(ServerConfig, Vec<OptionsWarning>), OptionsError> {
    let mut resolved = options.resolve()?;
    let warnings = std::mem::take(&mut resolved.warnings);
    let roots = options.client_auth.load_roots()?;
    let sessions = pool.sessions(name, options, &roots)?;
    let resolver = Arc::new(StoreResolver {
        store: certs.clone(),
        strict: options.sni_strict,
        acme: acme_tls_alpn,
        challenges: challenges.clone(),
    });
    let config = options.server_config(resolved, roots, resolver, &sessions, acme_tls_alpn)?;
    Ok((config, warnings))
}

#[cfg(test)]
mod tests;
