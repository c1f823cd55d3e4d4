//! One Ingress into routers and services (`ingress/kubernetes.go
//! loadConfigurationFromIngresses, loadService, loadRouter`).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::{
    api::networking::v1::{Ingress, IngressBackend, IngressSpec},
    apimachinery::pkg::util::intstr::IntOrString,
};
use portico_config::raw::routing::{LoadBalancer, Router, Server, Service};

use super::{
    Builder, DEFAULT_BACKEND, DEFAULT_ROUTER,
    annotations::{RouterAnnotations, ServiceAnnotations},
    rules::{self, PathMatch},
};
use crate::{backends::PortRef, cluster::ObjectKey, names};

/// The default router's priority (`math.MinInt32`): below every other router.
pub(super) const DEFAULT_PRIORITY: i64 = i32::MIN as i64;

/// The default router's rule.
const DEFAULT_RULE: &str = "PathPrefix(`/`)";

/// One path of an Ingress: its router name before deduplication, its rule,
/// and its router or why there is none.
struct Path {
    key: String,
    rule: String,
    router: Result<Router, String>,
}

// === impl Builder ===

impl Builder<'_> {
    /// Translates one served Ingress.
    pub(super) fn ingress(&mut self, key: &ObjectKey, ingress: &Ingress) {
        let context = format!("ingress {key}");
        let spec = ingress.spec.clone().unwrap_or_default();
        let annotations = match RouterAnnotations::parse(ingress.metadata.annotations.as_ref()) {
            Ok(a) => a,
            Err(e) => return self.fail_ingress(key, &spec, &format!("{context}: {e}")),
        };
        self.certificates(key, ingress);
        let ingress_rules = spec.rules.as_deref().unwrap_or_default();
        if ingress_rules.is_empty() {
            if let Some(backend) = &spec.default_backend {
                self.default_backend(&context, &key.namespace, backend, &annotations);
            }
            return;
        }
        let v2_syntax = annotations.rule_syntax.as_deref() == Some("v2");
        let mut paths = Vec::new();
        for rule in ingress_rules {
            let host = rule.host.as_deref().unwrap_or_default();
            let Some(http) = &rule.http else { continue };
            for p in &http.paths {
                let path = p.path.as_deref().unwrap_or_default();
                let matched = PathMatch {
                    path,
                    path_type: &p.path_type,
                    matcher: annotations.path_matcher.as_deref(),
                    strict: self.spec.strict_prefix_matching,
                };
                let rule_text = rules::rule(host, &matched, v2_syntax);
                let router = if rule_text.is_empty() {
                    Err("a path with neither host nor path has an empty rule".to_owned())
                } else {
                    self.service(&key.namespace, &p.backend)
                        .map(|(name, service)| {
                            self.out.add_service(name.clone(), service);
                            router(&annotations, name, rule_text.clone())
                        })
                };
                paths.push(Path {
                    key: rules::router_key(&key.namespace, &key.name, host, path),
                    rule: rule_text,
                    router,
                });
            }
        }
        self.routers(&context, paths);
    }

    /// Adds the routers of one Ingress; where several share a name, each is
    /// named with a hash of its rule.
    fn routers(&mut self, context: &str, paths: Vec<Path>) {
        let mut groups: BTreeMap<String, Vec<Path>> = BTreeMap::new();
        for p in paths {
            groups.entry(p.key.clone()).or_default().push(p);
        }
        for (key, group) in groups {
            let built = group.iter().filter(|p| p.router.is_ok()).count();
            let size = group.len();
            for p in group {
                match p.router {
                    Ok(router) => {
                        let name = if built == 1 {
                            key.clone()
                        } else {
                            rules::hashed_key(&key, &p.rule)
                        };
                        if self.has_router(&name) {
                            self.out.warnings.push(format!(
                                "{context}: router {name} replaces an earlier router of the same name"
                            ));
                        }
                        self.out.add_router(name, router);
                    }
                    Err(reason) => {
                        let name = if size == 1 {
                            key.clone()
                        } else {
                            rules::hashed_key(&key, &p.rule)
                        };
                        self.out.fail_router(&name, format!("{context}: {reason}"));
                    }
                }
            }
        }
    }

    /// `default-router` and `default-backend`, for an Ingress without rules.
    fn default_backend(
        &mut self,
        context: &str,
        namespace: &str,
        backend: &IngressBackend,
        annotations: &RouterAnnotations,
    ) {
        if self.out.has_service(DEFAULT_BACKEND) {
            self.out.warnings.push(format!(
                "{context}: spec.defaultBackend ignored: the default backend already exists"
            ));
            return;
        }
        match self.service(namespace, backend) {
            Err(e) => self.default_failures.push(format!("{context}: {e}")),
            Ok((_, service)) => {
                self.out.add_service(DEFAULT_BACKEND.to_owned(), service);
                let router = Router {
                    entry_points: annotations.entry_points.clone(),
                    middlewares: annotations.middlewares.clone(),
                    service: Some(DEFAULT_BACKEND.to_owned()),
                    rule: Some(DEFAULT_RULE.to_owned()),
                    rule_syntax: Some("v3".to_owned()),
                    priority: Some(DEFAULT_PRIORITY),
                    tls: annotations.tls.clone(),
                    ..Router::default()
                };
                self.out.add_router(DEFAULT_ROUTER.to_owned(), router);
            }
        }
    }

    /// Disables every router an Ingress would have produced.
    fn fail_ingress(&mut self, key: &ObjectKey, spec: &IngressSpec, reason: &str) {
        let ingress_rules = spec.rules.as_deref().unwrap_or_default();
        if ingress_rules.is_empty() && spec.default_backend.is_some() {
            self.default_failures.push(reason.to_owned());
            return;
        }
        let mut names = BTreeSet::new();
        for rule in ingress_rules {
            let host = rule.host.as_deref().unwrap_or_default();
            for p in rule.http.iter().flat_map(|h| &h.paths) {
                let path = p.path.as_deref().unwrap_or_default();
                names.insert(rules::router_key(&key.namespace, &key.name, host, path));
            }
        }
        if names.is_empty() {
            self.out.warnings.push(reason.to_owned());
        }
        for name in names {
            self.out.fail_router(&name, reason.to_owned());
        }
    }

    /// The service of a backend and its name `normalize(<ns>-<service>-<port>)`.
    fn service(&self, ns: &str, backend: &IngressBackend) -> Result<(String, Service), String> {
        if backend.resource.is_some() {
            return Err("resource backends are not supported".to_owned());
        }
        let Some(target) = &backend.service else {
            return Err("missing service definition".to_owned());
        };
        let port = match &target.port {
            Some(p) if p.name.as_deref().is_some_and(|n| !n.is_empty()) => {
                IntOrString::String(p.name.clone().unwrap_or_default())
            }
            Some(p) => IntOrString::Int(p.number.unwrap_or_default()),
            None => IntOrString::Int(0),
        };
        let port_text = match &port {
            IntOrString::Int(n) => n.to_string(),
            IntOrString::String(s) => s.clone(),
        };
        let name = names::normalize(&format!("{ns}-{}-{port_text}", target.name));
        let service = self.backends.service(ns, &target.name)?;
        let unusable = |what: String| format!("service {ns}/{}: {what}", target.name);
        let a = ServiceAnnotations::parse(service.metadata.annotations.as_ref())
            .map_err(|e| unusable(e.to_string()))?;
        if a.node_port_lb {
            return Err(unusable(
                "annotation service.nodeportlb: not supported".to_owned(),
            ));
        }
        if a.middlewares.is_some() {
            return Err(unusable(
                "annotation service.middlewares: not supported".to_owned(),
            ));
        }
        let servers = self.backends.servers(&PortRef {
            namespace: ns,
            name: &target.name,
            port: &port,
            scheme: a.servers_scheme.as_deref(),
            native_lb: a.native_lb,
        })?;
        let servers = servers
            .into_iter()
            .map(|url| Server {
                url: Some(url),
                ..Server::default()
            })
            .collect();
        let load_balancer = LoadBalancer {
            sticky: a.sticky,
            servers: Some(servers),
            pass_host_header: a.pass_host_header,
            servers_transport: a.servers_transport,
            ..LoadBalancer::default()
        };
        Ok((
            name,
            Service {
                load_balancer: Some(load_balancer),
                ..Service::default()
            },
        ))
    }
}

/// The router of one path (`loadRouter`).
fn router(a: &RouterAnnotations, service: String, rule: String) -> Router {
    Router {
        entry_points: a.entry_points.clone(),
        middlewares: a.middlewares.clone(),
        service: Some(service),
        rule: Some(rule),
        rule_syntax: a.rule_syntax.clone(),
        priority: a.priority.filter(|p| *p != 0),
        tls: a.tls.clone(),
        observability: a.observability.clone(),
        parent_refs: None,
    }
}
