//! The validated routing (dynamic) configuration.

use std::{collections::BTreeMap, fmt};

use portico_rules::Rule;

/// An object name qualified by its provider: `name@provider`.
///
/// # Example
///
/// ```
/// use portico_config::model::QualifiedName;
///
/// let q = QualifiedName::resolve("api", "file");
/// assert_eq!(q.as_str(), "api@file");
/// assert_eq!(QualifiedName::resolve("auth@kubernetescrd", "file").provider(), "kubernetescrd");
/// assert_eq!(q.name(), "api");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualifiedName(String);

/// The validated routing configuration of every provider, merged.
///
/// Objects that failed validation stay in the maps with their errors, so they can be
/// reported (and disabled) one by one while the rest is served.
#[derive(Clone, Debug, Default)]
pub struct RoutingModel {
    /// HTTP routers.
    pub routers: BTreeMap<QualifiedName, Result<RouterSpec, Vec<String>>>,
    /// HTTP services. References between services (and to transports) are checked
    /// by [`crate::validate::service_graph`] once every provider is merged.
    pub services: BTreeMap<QualifiedName, Result<super::ServiceSpec, Vec<String>>>,
    /// HTTP middlewares.
    pub middlewares:
        BTreeMap<QualifiedName, Result<super::middleware::MiddlewareSpec, Vec<String>>>,
    /// `http.serversTransports`, by qualified name.
    pub servers_transports:
        BTreeMap<QualifiedName, Result<super::ServersTransportSpec, Vec<String>>>,
    /// The `tls` section of every provider.
    pub tls: super::tls::TlsModel,
    /// Settings accepted but not applied, one line each (for example sections of a
    /// kind Portico does not route yet).
    pub warnings: Vec<String>,
}

/// A valid HTTP router (`http.routers.<name>`).
#[derive(Clone, Debug)]
pub struct RouterSpec {
    /// The parsed rule.
    pub rule: Rule,
    /// Explicit priority, else the rule's length.
    pub priority: i64,
    /// `entryPoints`; `None` means the default entrypoints.
    pub entry_points: Option<Vec<String>>,
    /// `middlewares`, qualified.
    pub middlewares: Vec<QualifiedName>,
    /// `service`, qualified.
    pub service: QualifiedName,
    /// `tls`: the router serves HTTPS only.
    pub tls: Option<RouterTls>,
    /// Hints about the rule (for example a v2-style `{name:re}` placeholder in a v3
    /// rule), not errors.
    pub warnings: Vec<String>,
}

/// A router's `tls` section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouterTls {
    /// `options`, qualified (`default` when absent).
    pub options: Option<QualifiedName>,
    /// `certResolver`.
    pub cert_resolver: Option<String>,
    /// `domains`.
    pub domains: Vec<TlsDomain>,
}

/// A certificate domain: `main` plus `sans`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsDomain {
    /// `main`.
    pub main: String,
    /// `sans`.
    pub sans: Vec<String>,
}

// === impl RoutingModel ===

impl RoutingModel {
    /// Adds another provider's objects (names are qualified, so they cannot clash).
    pub fn extend(&mut self, other: RoutingModel) {
        self.routers.extend(other.routers);
        self.services.extend(other.services);
        self.middlewares.extend(other.middlewares);
        self.servers_transports.extend(other.servers_transports);
        self.tls.extend(other.tls);
        self.warnings.extend(other.warnings);
    }
}

// === impl QualifiedName ===

impl QualifiedName {
    /// `name@provider`.
    pub fn new(name: &str, provider: &str) -> QualifiedName {
        QualifiedName(format!("{name}@{provider}"))
    }

    /// Resolves a reference written in `provider`'s configuration: a name without
    /// `@` belongs to the same provider.
    pub fn resolve(reference: &str, provider: &str) -> QualifiedName {
        if reference.contains('@') {
            QualifiedName(reference.to_owned())
        } else {
            QualifiedName::new(reference, provider)
        }
    }

    /// The whole `name@provider`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the last `@`.
    pub fn name(&self) -> &str {
        self.0.rsplit_once('@').map_or(&self.0, |(n, _)| n)
    }

    /// The part after the last `@`.
    pub fn provider(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, p)| p)
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
