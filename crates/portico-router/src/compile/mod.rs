//! From a validated routing model to route tables (the control plane).

mod chains;
mod entry_points;
mod services;
mod tls;
mod transports;

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use portico_config::model::{QualifiedName, RoutingModel};
use portico_core::BoxHttpService;
use portico_proxy::Transport;
use portico_tls::{TlsRegistry, TlsSnapshot};

pub use self::entry_points::EntryPointSet;
use self::{
    chains::{BuiltMiddleware, Middlewares},
    services::{BuiltService, ServiceBuilder},
    transports::BuiltTransport,
};
use crate::{
    MiddlewareStatus, RouteTable, RouteTableBuilder, RouterStatus, RuntimeStatus, ServiceStatus,
    middleware::{self, BuildContext},
};

/// One compilation's result: a table per entrypoint and the status of every object.
#[derive(Debug)]
pub struct Compiled {
    /// Plain-HTTP route tables by entrypoint name (every known entrypoint has one).
    pub tables: BTreeMap<String, RouteTable>,
    /// HTTPS route tables (TLS routers) by entrypoint name.
    pub tls_tables: BTreeMap<String, RouteTable>,
    /// The certificates and TLS options to publish in the compiler's registry.
    pub tls: TlsSnapshot,
    /// What is enabled and why the rest is not.
    pub status: RuntimeStatus,
}

/// Compiles routing models into route tables, keeping what it built between
/// compilations: a service, a middleware or a router's whole chain whose definition
/// did not change is reused as is, so its state (balancer position, rate-limit
/// buckets, circuit-breaker windows) survives a reload.
///
/// The tokio runtime current where the compiler is created (if any) is entered
/// while compiling, so services that spawn tasks (health-check probes) can be
/// built on a plain thread, such as a low-priority control-plane thread.
#[derive(Debug)]
pub struct Compiler {
    transport: Transport,
    /// The runtime health checks and other service tasks are spawned on.
    runtime: Option<tokio::runtime::Handle>,
    registry: Arc<TlsRegistry>,
    certs: tls::CertCache,
    transports: HashMap<QualifiedName, Arc<BuiltTransport>>,
    services: HashMap<QualifiedName, Arc<BuiltService>>,
    middlewares: HashMap<QualifiedName, Arc<BuiltMiddleware>>,
    routes: HashMap<(QualifiedName, String), BuiltRoute>,
}

/// A router's service with its middlewares applied, for one entrypoint.
#[derive(Debug)]
struct BuiltRoute {
    service: Arc<BuiltService>,
    middlewares: Vec<Arc<BuiltMiddleware>>,
    composed: BoxHttpService,
}

// === impl Compiler ===

impl Compiler {
    /// The registry the compiler builds TLS snapshots for.
    pub fn tls_registry(&self) -> &Arc<TlsRegistry> {
        &self.registry
    }

    /// A compiler whose services forward through `transport`.
    pub fn new(transport: Transport) -> Compiler {
        Compiler::with_tls(transport, Arc::new(TlsRegistry::new()))
    }

    /// A compiler whose TLS snapshots are built for `registry` (so that TLS session
    /// state carries over between snapshots); the caller publishes them.
    pub fn with_tls(transport: Transport, registry: Arc<TlsRegistry>) -> Compiler {
        Compiler {
            transport,
            runtime: tokio::runtime::Handle::try_current().ok(),
            registry,
            certs: tls::CertCache::default(),
            transports: HashMap::new(),
            services: HashMap::new(),
            middlewares: HashMap::new(),
            routes: HashMap::new(),
        }
    }

    /// Compiles `model` for `entry_points`.
    ///
    /// A router is disabled (and reported) when its rule or definition is invalid,
    /// its service or one of its middlewares is missing or invalid, a middleware
    /// chain loops, it uses TLS (not built yet) or none of its entrypoints exists;
    /// the others are served. Entrypoint middlewares run before the router's own.
    /// Equal priorities are ordered by router name (`name@provider`, byte order).
    pub fn compile(&mut self, model: &RoutingModel, entry_points: &EntryPointSet) -> Compiled {
        let runtime = self.runtime.clone();
        let _entered = runtime.as_ref().map(tokio::runtime::Handle::enter);
        let mut status = RuntimeStatus::default();

        // Transports, then services (children before parents).
        let mut previous = std::mem::take(&mut self.transports);
        let transports = transports::build_all(&model.servers_transports, &mut previous);
        self.transports = transports
            .iter()
            .filter_map(|(n, t)| Some((n.clone(), t.as_ref().ok()?.clone())))
            .collect();
        let built = ServiceBuilder {
            specs: &model.services,
            transports: &transports,
            default_transport: &self.transport,
            previous: std::mem::take(&mut self.services),
        }
        .build_all();
        for (name, result) in &built {
            status.services.insert(
                name.to_string(),
                ServiceStatus {
                    enabled: result.is_ok(),
                    used_by: Vec::new(),
                    errors: result.as_ref().err().cloned().unwrap_or_default(),
                },
            );
            if let Ok(ok) = result {
                self.services.insert(name.clone(), ok.clone());
            }
        }

        // Middlewares (chains are expanded per router).
        let ctx = BuildContext {
            services: built
                .iter()
                .filter_map(|(n, b)| Some((n.clone(), b.as_ref().ok()?.service.clone())))
                .collect(),
        };
        let mut previous = std::mem::take(&mut self.middlewares);
        let mut mws = Middlewares {
            specs: &model.middlewares,
            built: HashMap::new(),
        };
        for (name, spec) in &model.middlewares {
            let result = match spec {
                Ok(portico_config::model::middleware::MiddlewareSpec::Chain(_)) => None,
                Ok(spec) => Some(match previous.remove(name) {
                    // `errors` holds the error service it was built with: rebuild it
                    // so a changed service is picked up (it has no state to keep).
                    Some(old)
                        if &old.spec == spec
                            && !matches!(
                                spec,
                                portico_config::model::middleware::MiddlewareSpec::Errors(_)
                            ) =>
                    {
                        Ok(old)
                    }
                    _ => middleware::build(spec, &ctx).map(|layer| {
                        Arc::new(BuiltMiddleware {
                            spec: spec.clone(),
                            layer,
                        })
                    }),
                }),
                Err(_) => None,
            };
            let errors = match (spec, &result) {
                (Err(errors), _) => errors.clone(),
                (_, Some(Err(error))) => vec![error.clone()],
                _ => Vec::new(),
            };
            status.middlewares.insert(
                name.to_string(),
                MiddlewareStatus {
                    enabled: errors.is_empty(),
                    kind: spec
                        .as_ref()
                        .map(|s| s.kind())
                        .unwrap_or_default()
                        .to_owned(),
                    used_by: Vec::new(),
                    errors,
                },
            );
            if let Some(result) = result {
                if let Ok(ok) = &result {
                    self.middlewares.insert(name.clone(), ok.clone());
                }
                mws.built.insert(name.clone(), result);
            }
        }

        // Routers.
        let mut builders: BTreeMap<String, RouteTableBuilder> = entry_points
            .names()
            .iter()
            .map(|n| (n.clone(), RouteTable::builder()))
            .collect();
        let mut tls_builders: BTreeMap<String, RouteTableBuilder> = entry_points
            .names()
            .iter()
            .map(|n| (n.clone(), RouteTable::builder()))
            .collect();
        let mut plan = tls::TlsPlan::default();
        let mut previous_routes = std::mem::take(&mut self.routes);
        // BTreeMap order: routers are inserted by name, which breaks priority ties.
        for (name, router) in &model.routers {
            let mut state = RouterStatus::default();
            let spec = match router {
                Ok(spec) => spec,
                Err(errors) => {
                    state.errors = errors.clone();
                    status.routers.insert(name.to_string(), state);
                    continue;
                }
            };
            state.rule = spec.rule.source().to_owned();
            state.priority = spec.priority;
            state.service = spec.service.to_string();
            if let Some(s) = status.services.get_mut(spec.service.as_str()) {
                s.used_by.push(name.to_string());
            }
            for m in &spec.middlewares {
                if let Some(s) = status.middlewares.get_mut(m.as_str()) {
                    s.used_by.push(name.to_string());
                }
            }

            let service = match built.get(&spec.service) {
                Some(Ok(service)) => Some(service.clone()),
                Some(Err(errors)) => {
                    state.errors.push(format!(
                        "service {:?} is invalid: {}",
                        spec.service.as_str(),
                        errors.join("; ")
                    ));
                    None
                }
                None => {
                    state.errors.push(format!(
                        "service {:?} does not exist",
                        spec.service.as_str()
                    ));
                    None
                }
            };
            let wanted = spec
                .entry_points
                .as_deref()
                .unwrap_or_else(|| entry_points.defaults());
            // An unknown entrypoint is reported, not fatal: the router is served on
            // the others (Traefik).
            let mut reported = Vec::new();
            for ep in wanted {
                if entry_points.contains(ep) {
                    state.entry_points.push(ep.clone());
                } else {
                    reported.push(format!("entryPoint {ep:?} doesn't exist"));
                }
            }
            if state.entry_points.is_empty() {
                state
                    .errors
                    .push("no valid entryPoint for this router".to_owned());
            }

            // TLS: the router's options, else its entrypoint's, else `default`.
            let router_options = spec.tls.as_ref().and_then(|t| t.options.clone());
            let tls_options = |ep: &str| -> Option<QualifiedName> {
                let ep_tls = entry_points.tls(ep);
                if spec.tls.is_none() && ep_tls.is_none() {
                    return None;
                }
                Some(router_options.clone().unwrap_or_else(|| {
                    let named = ep_tls.flatten().unwrap_or(portico_tls::DEFAULT_OPTIONS);
                    QualifiedName::resolve(named, name.provider())
                }))
            };
            for ep in &state.entry_points {
                if let Some(options) = tls_options(ep)
                    && !tls::options_exist(&model.tls, &options)
                {
                    let error = format!("unknown TLS options {:?}", options.as_str());
                    if !state.errors.contains(&error) {
                        state.errors.push(error);
                    }
                }
            }

            // One composed service per entrypoint: entrypoint middlewares differ.
            let mut routes = Vec::new();
            if let Some(service) = &service {
                for ep in &state.entry_points {
                    let mut names: Vec<QualifiedName> = Vec::new();
                    for m in entry_points.middlewares(ep) {
                        if m.contains('@') {
                            names.push(QualifiedName::resolve(m, ""));
                        } else {
                            state.errors.push(format!(
                                "entryPoints.{ep}.http.middlewares: {m:?} must name its provider (for example {m}@file)"
                            ));
                        }
                    }
                    names.extend(spec.middlewares.iter().cloned());
                    match mws.resolve(&names) {
                        Ok((layers, used)) => {
                            let key = (name.clone(), ep.clone());
                            let composed = match previous_routes.remove(&key) {
                                Some(old)
                                    if Arc::ptr_eq(&old.service, service)
                                        && old.middlewares.len() == used.len()
                                        && old
                                            .middlewares
                                            .iter()
                                            .zip(&used)
                                            .all(|(a, b)| Arc::ptr_eq(a, b)) =>
                                {
                                    old.composed.clone()
                                }
                                _ => layers
                                    .iter()
                                    .rev()
                                    .fold(service.service.clone(), |inner, layer| layer(inner)),
                            };
                            self.routes.insert(
                                key,
                                BuiltRoute {
                                    service: service.clone(),
                                    middlewares: used,
                                    composed: composed.clone(),
                                },
                            );
                            routes.push((ep.clone(), tls_options(ep), composed));
                        }
                        Err(error) => {
                            if !state.errors.contains(&error) {
                                state.errors.push(error);
                            }
                        }
                    }
                }
            }

            let fatal = !state.errors.is_empty();
            state.errors.extend(reported);
            if !fatal {
                for (ep, options, composed) in routes {
                    let target = match &options {
                        Some(options) => {
                            for host in spec.rule.hosts() {
                                plan.hosts.push((host, tls::options_key(options)));
                            }
                            tls_builders.get_mut(&ep)
                        }
                        None => builders.get_mut(&ep),
                    };
                    if let Some(builder) = target {
                        builder.route(
                            name.as_str(),
                            spec.rule.clone(),
                            Some(spec.priority),
                            composed,
                        );
                    }
                }
                state.enabled = true;
            }
            status.routers.insert(name.to_string(), state);
        }

        let tables = builders
            .into_iter()
            .map(|(ep, builder)| (ep, builder.build()))
            .collect();
        let tls_tables = tls_builders
            .into_iter()
            .map(|(ep, builder)| (ep, builder.build()))
            .collect();
        let (tls, problems) = tls::snapshot(&self.registry, &model.tls, &plan, &mut self.certs);
        status.tls = problems;
        Compiled {
            tables,
            tls_tables,
            tls,
            status,
        }
    }
}

#[cfg(test)]
mod tests;
