//! From a validated routing model to route tables (the control plane).

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use portico_config::model::{QualifiedName, RoutingModel, ServiceSpec};
use portico_core::{BoxHttpService, box_http_service};
use portico_proxy::{Forwarder, LoadBalancer, Target, Transport};

use crate::{RouteTable, RouteTableBuilder, RouterStatus, RuntimeStatus, ServiceStatus};

/// The entrypoints routers can attach to, and the default ones (`asDefault`, or all
/// of them when none is marked) for routers that name none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryPointSet {
    names: Vec<String>,
    defaults: Vec<String>,
}

/// One compilation's result: a table per entrypoint and the status of every object.
#[derive(Debug)]
pub struct Compiled {
    /// Route tables by entrypoint name (every known entrypoint has one).
    pub tables: BTreeMap<String, RouteTable>,
    /// What is enabled and why the rest is not.
    pub status: RuntimeStatus,
}

/// Compiles routing models into route tables, keeping built services between
/// compilations so that unchanged services keep their state and pools.
#[derive(Debug)]
pub struct Compiler {
    transport: Transport,
    services: HashMap<QualifiedName, Arc<BuiltService>>,
}

/// A service built from a spec, kept for reuse by the next compilation.
#[derive(Debug)]
struct BuiltService {
    spec: ServiceSpec,
    service: BoxHttpService,
}

// === impl EntryPointSet ===

impl EntryPointSet {
    /// From `(name, asDefault)` pairs.
    ///
    /// # Example
    ///
    /// ```
    /// use portico_router::EntryPointSet;
    /// let set = EntryPointSet::new([("web", false), ("websecure", true)]);
    /// assert_eq!(set.defaults(), ["websecure"]);
    /// let set = EntryPointSet::new([("web", false), ("admin", false)]);
    /// assert_eq!(set.defaults(), ["admin", "web"]);
    /// ```
    pub fn new<'a>(entry_points: impl IntoIterator<Item = (&'a str, bool)>) -> EntryPointSet {
        let mut names = Vec::new();
        let mut marked = Vec::new();
        for (name, as_default) in entry_points {
            names.push(name.to_owned());
            if as_default {
                marked.push(name.to_owned());
            }
        }
        names.sort();
        marked.sort();
        let defaults = if marked.is_empty() {
            names.clone()
        } else {
            marked
        };
        EntryPointSet { names, defaults }
    }

    /// Every entrypoint's name.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The default entrypoints.
    pub fn defaults(&self) -> &[String] {
        &self.defaults
    }

    fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

// === impl Compiler ===

impl Compiler {
    /// A compiler whose services forward through `transport`.
    pub fn new(transport: Transport) -> Compiler {
        Compiler {
            transport,
            services: HashMap::new(),
        }
    }

    /// Compiles `model` for `entry_points`.
    ///
    /// A router is disabled (and reported) when its rule or definition is invalid,
    /// its service is missing or invalid, it uses middlewares or TLS (not built yet)
    /// or none of its entrypoints exists; the others are served. Equal priorities are
    /// ordered by router name (`name@provider`, byte order).
    pub fn compile(&mut self, model: &RoutingModel, entry_points: &EntryPointSet) -> Compiled {
        let mut status = RuntimeStatus::default();
        let mut previous = std::mem::take(&mut self.services);
        let mut built: HashMap<QualifiedName, Result<BoxHttpService, Vec<String>>> = HashMap::new();

        for (name, service) in &model.services {
            let result = match service {
                Ok(spec) => self.build_service(name, spec, &mut previous),
                Err(errors) => Err(errors.clone()),
            };
            status.services.insert(
                name.to_string(),
                ServiceStatus {
                    enabled: result.is_ok(),
                    used_by: Vec::new(),
                    errors: result.as_ref().err().cloned().unwrap_or_default(),
                },
            );
            built.insert(name.clone(), result);
        }

        let mut builders: BTreeMap<String, RouteTableBuilder> = entry_points
            .names()
            .iter()
            .map(|n| (n.clone(), RouteTable::builder()))
            .collect();

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

            let service = match built.get(&spec.service) {
                Some(Ok(service)) => Some(service.clone()),
                Some(Err(_)) => {
                    state
                        .errors
                        .push(format!("service {:?} is invalid", spec.service.as_str()));
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
            if !spec.middlewares.is_empty() {
                let names: Vec<&str> = spec.middlewares.iter().map(|m| m.as_str()).collect();
                state.errors.push(format!(
                    "middlewares are not supported yet (router uses {names:?})"
                ));
            }

            if spec.tls.is_some() {
                state.errors.push(
                    "TLS routers are not supported by this Portico version (no TLS entrypoints yet)"
                        .to_owned(),
                );
            }
            let wanted = spec
                .entry_points
                .as_deref()
                .unwrap_or_else(|| entry_points.defaults());
            for ep in wanted {
                if entry_points.contains(ep) {
                    state.entry_points.push(ep.clone());
                } else {
                    state
                        .errors
                        .push(format!("entryPoint {ep:?} doesn't exist"));
                }
            }
            if state.entry_points.is_empty() {
                state
                    .errors
                    .push("no valid entryPoint for this router".to_owned());
            }

            let disabled = service.is_none()
                || !spec.middlewares.is_empty()
                || spec.tls.is_some()
                || state.entry_points.is_empty();
            if let (false, Some(service)) = (disabled, service) {
                for ep in &state.entry_points {
                    if let Some(builder) = builders.get_mut(ep) {
                        builder.route(
                            name.as_str(),
                            spec.rule.clone(),
                            Some(spec.priority),
                            service.clone(),
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
        Compiled { tables, status }
    }

    fn build_service(
        &mut self,
        name: &QualifiedName,
        spec: &ServiceSpec,
        previous: &mut HashMap<QualifiedName, Arc<BuiltService>>,
    ) -> Result<BoxHttpService, Vec<String>> {
        if let Some(old) = previous.remove(name)
            && &old.spec == spec
        {
            let service = old.service.clone();
            self.services.insert(name.clone(), old);
            return Ok(service);
        }
        let service = match spec {
            ServiceSpec::LoadBalancer(lb) => {
                let mut servers = Vec::with_capacity(lb.servers.len());
                let mut errors = Vec::new();
                for (i, server) in lb.servers.iter().enumerate() {
                    match Target::parse(&server.url) {
                        Ok(target) => servers.push((
                            Arc::new(target.with_preserve_path(server.preserve_path)),
                            server.weight,
                        )),
                        Err(e) => errors.push(format!("loadBalancer.servers[{i}].url: {e}")),
                    }
                }
                if !errors.is_empty() {
                    return Err(errors);
                }
                let forwarder =
                    Forwarder::new(self.transport.clone()).pass_host_header(lb.pass_host_header);
                box_http_service(LoadBalancer::new(servers, forwarder))
            }
        };
        let built = BuiltService {
            spec: spec.clone(),
            service: service.clone(),
        };
        self.services.insert(name.clone(), Arc::new(built));
        Ok(service)
    }
}

#[cfg(test)]
mod tests;
