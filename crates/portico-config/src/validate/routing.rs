//! Routing (dynamic) configuration validation, object by object.

use portico_rules::{Rule, Syntax};

use crate::{
    model::{QualifiedName, RouterSpec, RouterTls, RoutingModel, TlsDomain},
    raw::{
        self,
        routing::{self as rr},
    },
};

/// The highest priority a user may give a router; above it are Portico's internal
/// routers (Traefik's `maxUserPriority`).
const MAX_USER_PRIORITY: i64 = i64::MAX - 1000;

/// Settings from the install configuration that routing validation needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoutingOptions {
    /// `core.defaultRuleSyntax`.
    pub default_rule_syntax: Syntax,
}

/// Validates one provider's routing configuration. Every router, service,
/// middleware and transport is checked on its own; invalid ones are kept with their
/// errors (key path first).
///
/// References between services (and from services to transports) may cross
/// providers: they are checked by [`service_graph`](super::service_graph) once the
/// models of every provider are merged.
///
/// # Example
///
/// ```
/// use portico_config::{parse_routing, Format, validate};
///
/// let raw = parse_routing(
///     "http:\n  routers:\n    r:\n      rule: Host(`a.example`)\n      service: s\n  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: http://127.0.0.1:9000\n",
///     Format::Yaml,
///     "dynamic.yaml",
/// ).unwrap();
/// let model = validate::routing("file", &raw, &Default::default());
/// let router = model.routers.values().next().unwrap().as_ref().unwrap();
/// assert_eq!(router.service.as_str(), "s@file");
/// ```
pub fn routing(provider: &str, raw: &raw::RoutingConfig, options: &RoutingOptions) -> RoutingModel {
    let mut model = RoutingModel::default();
    if let Some(http) = &raw.http {
        for (name, router) in http.routers.iter().flatten() {
            let q = QualifiedName::new(name, provider);
            let result =
                validate_router(&format!("http.routers.{name}"), router, provider, options);
            model.routers.insert(q, result);
        }
        for (name, service) in http.services.iter().flatten() {
            let q = QualifiedName::new(name, provider);
            let result = super::service::service(&format!("http.services.{name}"), service, &q);
            model.services.insert(q, result);
        }
        for (name, middleware) in http.middlewares.iter().flatten() {
            let q = QualifiedName::new(name, provider);
            let result = super::middleware::middleware(
                &format!("http.middlewares.{name}"),
                middleware,
                provider,
            );
            model.middlewares.insert(q, result);
        }
        for (name, transport) in http.servers_transports.iter().flatten() {
            let q = QualifiedName::new(name, provider);
            let result = super::transport::servers_transport(
                &format!("http.serversTransports.{name}"),
                transport,
                provider,
            );
            model.servers_transports.insert(q, result);
        }
    }
    if let Some(tls) = &raw.tls {
        model.tls = super::tls::tls(tls, provider, &mut model.warnings);
    }
    for (key, present) in [("tcp", raw.tcp.is_some()), ("udp", raw.udp.is_some())] {
        if present {
            model.warnings.push(format!(
                "{key}: not supported by this Portico version; ignored"
            ));
        }
    }
    model
}

fn validate_router(
    path: &str,
    router: &rr::Router,
    provider: &str,
    options: &RoutingOptions,
) -> Result<RouterSpec, Vec<String>> {
    let mut errors = Vec::new();
    let syntax = match router
        .rule_syntax
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("") => options.default_rule_syntax,
        Some("v3") => Syntax::V3,
        Some("v2") => Syntax::V2,
        Some(other) => {
            errors.push(format!(
                "{path}.ruleSyntax: unknown syntax {other:?} (expected v3 or v2)"
            ));
            options.default_rule_syntax
        }
    };
    let rule = match router.rule.as_deref() {
        None | Some("") => {
            errors.push(format!("{path}.rule: rule is required"));
            None
        }
        Some(text) => match Rule::parse(text, syntax) {
            Ok(rule) => Some(rule),
            Err(e) => {
                errors.push(format!(
                    "{path}.rule: invalid rule: {}\n{}",
                    e,
                    e.render(text)
                ));
                None
            }
        },
    };
    let service = match router.service.as_deref() {
        None | Some("") => {
            errors.push(format!("{path}.service: service is required"));
            None
        }
        Some(s) => Some(QualifiedName::resolve(s, provider)),
    };
    let priority = match router.priority {
        Some(p) if p > MAX_USER_PRIORITY => {
            errors.push(format!(
                "{path}.priority: {p} exceeds the maximum user priority {MAX_USER_PRIORITY}"
            ));
            None
        }
        Some(0) | None => None,
        Some(p) => Some(p),
    };
    if router.parent_refs.as_ref().is_some_and(|p| !p.is_empty()) {
        errors.push(format!(
            "{path}.parentRefs: multi-layer routing is not supported by this Portico version"
        ));
    }
    let tls = router.tls.as_ref().map(|tls| RouterTls {
        options: tls
            .options
            .as_deref()
            .filter(|o| !o.is_empty())
            .map(|o| QualifiedName::resolve(o, provider)),
        cert_resolver: tls.cert_resolver.clone().filter(|r| !r.is_empty()),
        domains: tls
            .domains
            .iter()
            .flatten()
            .map(|d| TlsDomain {
                main: d.main.clone().unwrap_or_default(),
                sans: d.sans.clone().unwrap_or_default(),
            })
            .collect(),
    });
    match (rule, service) {
        (Some(rule), Some(service)) if errors.is_empty() => Ok(RouterSpec {
            priority: priority.unwrap_or_else(|| rule.default_priority()),
            warnings: rule
                .warnings()
                .iter()
                .map(|w| format!("{path}.rule: {w}"))
                .collect(),
            rule,
            entry_points: router.entry_points.clone(),
            middlewares: router
                .middlewares
                .iter()
                .flatten()
                .map(|m| QualifiedName::resolve(m, provider))
                .collect(),
            service,
            tls,
        }),
        _ => Err(errors),
    }
}
