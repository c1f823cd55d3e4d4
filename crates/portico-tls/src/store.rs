//! The certificate store: certificates indexed by exact name and single-label
//! wildcard, with a default.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use rustls::sign::CertifiedKey;

use crate::{Certificate, generated};

/// An immutable set of certificates, indexed for selection by SNI.
///
/// Selection ([`CertStore::select`]): a certificate naming the SNI exactly, then one
/// whose `*.parent` wildcard covers it (one label: `*.example.com` covers
/// `a.example.com`, not `a.b.example.com` nor `example.com`), then the store's
/// default certificate, then a self-signed certificate generated once per process
/// (CN `TRAEFIK DEFAULT CERT`, as Traefik). With `strict` (Traefik's `sniStrict`)
/// only the first two apply. Names are compared case-insensitively, a trailing dot
/// ignored. When several certificates serve one name, the one that expires last
/// wins (the first added on a tie).
///
/// # Example
///
/// ```
/// use portico_tls::{CertStore, Certificate, Selection};
///
/// let key = rcgen::KeyPair::generate().unwrap();
/// let cert = rcgen::CertificateParams::new(vec!["*.example.com".to_owned()])
///     .unwrap()
///     .self_signed(&key)
///     .unwrap();
/// let cert = Certificate::from_pem(&cert.pem(), &key.serialize_pem()).unwrap();
/// let mut builder = CertStore::builder();
/// builder.add(cert);
/// let store = builder.build();
/// assert_eq!(store.select(Some("A.Example.com."), true).unwrap().1, Selection::Wildcard);
/// assert!(store.select(Some("a.b.example.com"), true).is_none());
/// assert_eq!(store.select(None, false).unwrap().1, Selection::Generated);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CertStore {
    exact: HashMap<Box<str>, Arc<Certificate>>,
    wildcard: HashMap<Box<str>, Arc<Certificate>>,
    default: Option<Arc<Certificate>>,
    acme: HashMap<Box<str>, Arc<Certificate>>,
    len: usize,
}

/// Collects certificates into a [`CertStore`].
#[derive(Debug, Default)]
pub struct CertStoreBuilder {
    store: CertStore,
}

/// How [`CertStore::select`] found the certificate it returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// A certificate naming the SNI.
    Exact,
    /// A `*.parent` certificate covering the SNI.
    Wildcard,
    /// The store's default certificate.
    Default,
    /// The self-signed certificate generated for this process.
    Generated,
}

/// A DNS name as the store compares it: trimmed, ASCII lower-cased, without a
/// trailing dot.
///
/// ```
/// assert_eq!(portico_tls::normalize_name(" WWW.Example.COM. "), "www.example.com");
/// ```
/// Allocates only when the name has upper-case letters.
pub fn normalize_name(name: &str) -> Cow<'_, str> {
    let name = name.trim();
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// The parent domain a single-label wildcard for `name` is indexed under
/// (`a.example.com` → `example.com`).
pub(crate) fn wildcard_parent(name: &str) -> Option<&str> {
    name.split_once('.')
        .map(|(_, parent)| parent)
        .filter(|p| !p.is_empty())
}

// === impl CertStoreBuilder ===

impl CertStoreBuilder {
    /// Adds a certificate under each of its names (a `*.parent` name as a wildcard;
    /// other names containing `*` are not indexed).
    pub fn add(&mut self, cert: Certificate) -> &mut Self {
        let cert = Arc::new(cert);
        for name in cert.names() {
            if let Some(parent) = name.strip_prefix("*.") {
                if !parent.contains('*') && !parent.is_empty() {
                    insert_latest(&mut self.store.wildcard, parent, &cert);
                }
            } else if !name.contains('*') {
                insert_latest(&mut self.store.exact, name, &cert);
            }
        }
        self.store.len += 1;
        self
    }

    /// The certificate served when no other matches (Traefik's
    /// `tls.stores.default.defaultCertificate`).
    pub fn default_certificate(&mut self, cert: Certificate) -> &mut Self {
        self.store.default = Some(Arc::new(cert));
        self
    }

    /// A TLS-ALPN-01 challenge certificate for `domain`, served only to a client
    /// that offers ALPN `acme-tls/1` alone, on options built with
    /// [`SnapshotBuilder::acme_tls_alpn`](crate::SnapshotBuilder::acme_tls_alpn).
    /// The hook for the ACME resolver.
    pub fn acme_challenge(&mut self, domain: &str, cert: Certificate) -> &mut Self {
        self.store
            .acme
            .insert(normalize_name(domain).into(), Arc::new(cert));
        self
    }

    /// The store.
    pub fn build(self) -> CertStore {
        self.store
    }
}

fn insert_latest(
    map: &mut HashMap<Box<str>, Arc<Certificate>>,
    name: &str,
    cert: &Arc<Certificate>,
) {
    match map.get(name) {
        Some(existing) if existing.not_after() >= cert.not_after() => {}
        _ => {
            map.insert(name.into(), cert.clone());
        }
    }
}

// === impl CertStore ===

impl CertStore {
    /// An empty builder.
    pub fn builder() -> CertStoreBuilder {
        CertStoreBuilder::default()
    }

    /// The certificate for a handshake: see the type's documentation for the order.
    /// `None` only when `strict` finds no certificate for the SNI (or there is no
    /// SNI), or when the default certificate could not be generated.
    pub fn select(
        &self,
        sni: Option<&str>,
        strict: bool,
    ) -> Option<(Arc<CertifiedKey>, Selection)> {
        if let Some(sni) = sni
            && let Some((cert, how)) = self.find(sni)
        {
            return Some((cert.certified_key().clone(), how));
        }
        if strict {
            return None;
        }
        if let Some(cert) = &self.default {
            return Some((cert.certified_key().clone(), Selection::Default));
        }
        generated::default_certificate().map(|key| (key, Selection::Generated))
    }

    /// The certificate naming `name` exactly or by wildcard, without defaults.
    pub fn find(&self, name: &str) -> Option<(&Arc<Certificate>, Selection)> {
        let name = normalize_name(name);
        if let Some(cert) = self.exact.get(&*name) {
            return Some((cert, Selection::Exact));
        }
        let parent = wildcard_parent(&name)?;
        self.wildcard
            .get(parent)
            .map(|cert| (cert, Selection::Wildcard))
    }

    /// The TLS-ALPN-01 challenge certificate for `domain`.
    pub fn acme_challenge(&self, domain: &str) -> Option<&Arc<Certificate>> {
        self.acme.get(&*normalize_name(domain))
    }

    /// The configured default certificate.
    pub fn default_certificate(&self) -> Option<&Arc<Certificate>> {
        self.default.as_ref()
    }

    /// How many certificates were added (the default and challenge certificates
    /// not counted).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no certificate was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(names: &[&str], not_after_year: i32) -> Certificate {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(
            names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
        )
        .unwrap();
        params.not_after = rcgen::date_time_ymd(not_after_year, 1, 1);
        let cert = params.self_signed(&key).unwrap();
        Certificate::from_pem(&cert.pem(), &key.serialize_pem()).unwrap()
    }

    fn store(certs: Vec<Certificate>, default: Option<Certificate>) -> CertStore {
        let mut builder = CertStore::builder();
        for c in certs {
            builder.add(c);
        }
        if let Some(d) = default {
            builder.default_certificate(d);
        }
        builder.build()
    }

    fn chosen(store: &CertStore, sni: Option<&str>, strict: bool) -> Option<(Vec<u8>, Selection)> {
        store
            .select(sni, strict)
            .map(|(key, how)| (key.cert[0].to_vec(), how))
    }

    #[test]
    fn normalizes_names() {
        assert_eq!(normalize_name("Foo.Example.COM."), "foo.example.com");
        assert_eq!(normalize_name("a"), "a");
        assert_eq!(normalize_name("."), "");
        assert_eq!(wildcard_parent("a.example.com"), Some("example.com"));
        assert_eq!(wildcard_parent("com"), None);
        assert_eq!(wildcard_parent("com."), None);
    }

    #[test]
    fn exact_then_wildcard_then_default() {
        let exact = cert(&["a.example.com"], 2040);
        let wild = cert(&["*.example.com"], 2040);
        let default = cert(&["default.test"], 2040);
        let (e, w, d) = (
            exact.chain()[0].to_vec(),
            wild.chain()[0].to_vec(),
            default.chain()[0].to_vec(),
        );
        let store = store(vec![exact, wild], Some(default));
        assert_eq!(
            chosen(&store, Some("a.example.com"), false),
            Some((e.clone(), Selection::Exact))
        );
        assert_eq!(
            chosen(&store, Some("A.EXAMPLE.com."), true),
            Some((e, Selection::Exact))
        );
        assert_eq!(
            chosen(&store, Some("b.example.com"), true),
            Some((w, Selection::Wildcard))
        );
        // One label only.
        assert_eq!(
            chosen(&store, Some("x.b.example.com"), false),
            Some((d.clone(), Selection::Default))
        );
        assert_eq!(
            chosen(&store, Some("example.com"), false),
            Some((d.clone(), Selection::Default))
        );
        assert_eq!(chosen(&store, None, false), Some((d, Selection::Default)));
        assert_eq!(chosen(&store, Some("x.b.example.com"), true), None);
        assert_eq!(chosen(&store, None, true), None);
    }

    #[test]
    fn generated_default_without_a_configured_one() {
        let store = store(vec![cert(&["a.example.com"], 2040)], None);
        let (first, how) = chosen(&store, Some("other.test"), false).unwrap();
        assert_eq!(how, Selection::Generated);
        // Generated once per process.
        let (second, _) = chosen(&CertStore::default(), None, false).unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn the_certificate_that_expires_last_wins() {
        let early = cert(&["a.example.com", "*.example.com"], 2030);
        let late = cert(&["a.example.com"], 2045);
        let tie = cert(&["a.example.com"], 2045);
        let late_der = late.chain()[0].to_vec();
        let early_der = early.chain()[0].to_vec();
        let store = store(vec![early, late, tie], None);
        assert_eq!(
            chosen(&store, Some("a.example.com"), true).unwrap().0,
            late_der
        );
        assert_eq!(
            chosen(&store, Some("b.example.com"), true).unwrap().0,
            early_der
        );
        assert_eq!(store.len(), 3);

        // Order of insertion does not matter.
        let early = cert(&["a.example.com"], 2030);
        let late = cert(&["a.example.com"], 2045);
        let late_der = late.chain()[0].to_vec();
        let store2 = super::CertStore::builder();
        let mut store2 = store2;
        store2.add(late).add(early);
        let store2 = store2.build();
        assert_eq!(
            chosen(&store2, Some("a.example.com"), true).unwrap().0,
            late_der
        );
    }

    #[test]
    fn cn_is_used_without_san() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Legacy.Example.org");
        let cert = params.self_signed(&key).unwrap();
        let cert = Certificate::from_pem(&cert.pem(), &key.serialize_pem()).unwrap();
        assert_eq!(cert.names(), ["legacy.example.org"]);
        let store = store(vec![cert], None);
        assert_eq!(
            chosen(&store, Some("legacy.example.org"), true).unwrap().1,
            Selection::Exact
        );
    }

    #[test]
    fn odd_wildcards_are_not_indexed() {
        let store = store(vec![cert(&["a*.example.com", "*"], 2040)], None);
        assert!(store.find("ab.example.com").is_none());
        assert!(store.find("x").is_none());
        assert!(store.find("a*.example.com").is_none());
    }
}
