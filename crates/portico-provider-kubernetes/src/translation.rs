//! What a translation of the cluster produces: the routing configuration the
//! file provider would produce for the same intent, plus what could not be
//! translated, by name, so only those routers are disabled.

use std::collections::BTreeMap;

use portico_config::raw::{
    RoutingConfig,
    routing::{HttpConfig, Middleware, Router, ServersTransport, Service, TlsConfig},
};

/// A translated cluster.
///
/// # Example
///
/// ```
/// use portico_provider_kubernetes::translation::Translation;
///
/// let mut t = Translation::default();
/// t.fail_router("default-app-0123", "ingressroute default/app: service default/web not found".into());
/// assert!(t.config.http.is_none());
/// assert_eq!(t.failed.routers["default-app-0123"].len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Translation {
    /// The routing configuration.
    pub config: RoutingConfig,
    /// Objects that could not be translated: their routers, services and
    /// middlewares are reported disabled with these reasons.
    pub failed: Failures,
    /// Things accepted but not applied, one line each.
    pub warnings: Vec<String>,
}

/// Reasons by the name a router, service or middleware would have had.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    /// Routers.
    pub routers: BTreeMap<String, Vec<String>>,
    /// Services.
    pub services: BTreeMap<String, Vec<String>>,
    /// Middlewares.
    pub middlewares: BTreeMap<String, Vec<String>>,
}

// === impl Translation ===

impl Translation {
    fn http(&mut self) -> &mut HttpConfig {
        self.config.http.get_or_insert_with(HttpConfig::default)
    }

    /// The TLS section, created when first needed.
    pub fn tls(&mut self) -> &mut TlsConfig {
        self.config.tls.get_or_insert_with(TlsConfig::default)
    }

    /// Adds a router.
    pub fn add_router(&mut self, name: String, router: Router) {
        self.http()
            .routers
            .get_or_insert_with(BTreeMap::new)
            .insert(name, router);
    }

    /// Adds a service.
    pub fn add_service(&mut self, name: String, service: Service) {
        self.http()
            .services
            .get_or_insert_with(BTreeMap::new)
            .insert(name, service);
    }

    /// Adds a middleware.
    pub fn add_middleware(&mut self, name: String, middleware: Middleware) {
        self.http()
            .middlewares
            .get_or_insert_with(BTreeMap::new)
            .insert(name, middleware);
    }

    /// Adds a servers transport.
    pub fn add_servers_transport(&mut self, name: String, transport: ServersTransport) {
        self.http()
            .servers_transports
            .get_or_insert_with(BTreeMap::new)
            .insert(name, transport);
    }

    /// Records that router `name` could not be translated.
    pub fn fail_router(&mut self, name: &str, reason: String) {
        self.failed
            .routers
            .entry(name.to_owned())
            .or_default()
            .push(reason);
    }

    /// Records that service `name` could not be translated.
    pub fn fail_service(&mut self, name: &str, reason: String) {
        self.failed
            .services
            .entry(name.to_owned())
            .or_default()
            .push(reason);
    }

    /// Records that middleware `name` could not be translated.
    pub fn fail_middleware(&mut self, name: &str, reason: String) {
        self.failed
            .middlewares
            .entry(name.to_owned())
            .or_default()
            .push(reason);
    }

    /// Whether a service of this name was produced.
    pub fn has_service(&self, name: &str) -> bool {
        self.config
            .http
            .as_ref()
            .and_then(|h| h.services.as_ref())
            .is_some_and(|s| s.contains_key(name))
    }

    /// Adds another translation (another provider mode's objects).
    pub fn extend(&mut self, other: Translation) {
        if let Some(http) = other.config.http {
            for (name, r) in http.routers.unwrap_or_default() {
                self.add_router(name, r);
            }
            for (name, s) in http.services.unwrap_or_default() {
                self.add_service(name, s);
            }
            for (name, m) in http.middlewares.unwrap_or_default() {
                self.add_middleware(name, m);
            }
            for (name, t) in http.servers_transports.unwrap_or_default() {
                self.add_servers_transport(name, t);
            }
        }
        if let Some(tls) = other.config.tls {
            let mine = self.tls();
            mine.certificates
                .get_or_insert_with(Vec::new)
                .extend(tls.certificates.unwrap_or_default());
            mine.options
                .get_or_insert_with(BTreeMap::new)
                .extend(tls.options.unwrap_or_default());
            mine.stores
                .get_or_insert_with(BTreeMap::new)
                .extend(tls.stores.unwrap_or_default());
        }
        self.failed.routers.extend(other.failed.routers);
        self.failed.services.extend(other.failed.services);
        self.failed.middlewares.extend(other.failed.middlewares);
        self.warnings.extend(other.warnings);
    }
}
