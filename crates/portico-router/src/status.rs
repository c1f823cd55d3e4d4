//! What the last compilation enabled, and why the rest is disabled.

use std::collections::BTreeMap;

/// The outcome of compiling a routing configuration: one entry per router and
/// service, with its errors. This is what logs (and later the API) report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuntimeStatus {
    /// Routers by qualified name.
    pub routers: BTreeMap<String, RouterStatus>,
    /// Services by qualified name.
    pub services: BTreeMap<String, ServiceStatus>,
    /// Middlewares by qualified name.
    pub middlewares: BTreeMap<String, MiddlewareStatus>,
    /// Certificates and TLS options that could not be used, one line each.
    pub tls: Vec<String>,
}

/// One middleware's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MiddlewareStatus {
    /// Whether it could be built.
    pub enabled: bool,
    /// Its kind (`addPrefix`, `chain`, ...).
    pub kind: String,
    /// The routers naming it directly.
    pub used_by: Vec<String>,
    /// Why it could not be built.
    pub errors: Vec<String>,
}

/// One router's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouterStatus {
    /// Whether it serves traffic.
    pub enabled: bool,
    /// The entrypoints it serves on.
    pub entry_points: Vec<String>,
    /// The rule as written (empty when it could not be read).
    pub rule: String,
    /// Effective priority.
    pub priority: i64,
    /// The service it sends to.
    pub service: String,
    /// Why it is disabled, or what was ignored; one line each.
    pub errors: Vec<String>,
}

/// One service's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceStatus {
    /// Whether it could be built.
    pub enabled: bool,
    /// The routers using it.
    pub used_by: Vec<String>,
    /// Why it could not be built.
    pub errors: Vec<String>,
}

// === impl RuntimeStatus ===

impl RuntimeStatus {
    /// Every problem, one line each, prefixed by the object it concerns.
    pub fn problems(&self) -> Vec<String> {
        let routers = self
            .routers
            .iter()
            .flat_map(|(name, r)| r.errors.iter().map(move |e| format!("router {name}: {e}")));
        let services = self
            .services
            .iter()
            .flat_map(|(name, s)| s.errors.iter().map(move |e| format!("service {name}: {e}")));
        routers.chain(services).collect()
    }

    /// How many routers serve traffic.
    pub fn enabled_routers(&self) -> usize {
        self.routers.values().filter(|r| r.enabled).count()
    }
}
