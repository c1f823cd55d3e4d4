//! Services: a route's or a TraefikService's reference to a Kubernetes Service
//! (a load balancer over its endpoints) or to another TraefikService
//! (`crd/kubernetes_http.go nameAndService, buildServersLB, buildTraefikService`).

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use portico_config::raw::routing::{
    Failover, HighestRandomWeight, LoadBalancer, MirrorService, Mirroring, Server, Service,
    Weighted, WeightedService,
};

use super::{
    Builder, PROVIDER,
    spec::{Object, ServiceRef, TraefikServiceSpec, WeightedServiceRef},
};
use crate::{
    backends::{PortRef, port_text},
    cluster::Kind,
    names,
};

impl Builder<'_> {
    /// Every TraefikService, as `<namespace>-<name>`.
    pub(super) fn traefik_services(&mut self) {
        for typed in self
            .cluster
            .typed::<Object<TraefikServiceSpec>>(Kind::TraefikService)
        {
            let id = names::normalize(&names::make_id(&typed.key.namespace, &typed.key.name));
            let built = typed
                .object
                .and_then(|ts| self.traefik_service(&typed.key.namespace, &ts.spec));
            match built {
                Ok(service) => self.out.add_service(id, service),
                Err(e) => self
                    .out
                    .fail_service(&id, format!("traefikservice {}: {e}", typed.key)),
            }
        }
    }

    fn traefik_service(&mut self, ns: &str, spec: &TraefikServiceSpec) -> Result<Service, String> {
        let kinds = [
            spec.weighted.is_some(),
            spec.mirroring.is_some(),
            spec.highest_random_weight.is_some(),
            spec.failover.is_some(),
        ];
        match kinds.iter().filter(|k| **k).count() {
            0 => return Err("unspecified service type".into()),
            1 => {}
            _ => {
                return Err(
                    "only one of weighted, mirroring, highestRandomWeight and failover may be set"
                        .into(),
                );
            }
        }
        if let Some(w) = &spec.weighted {
            let services = self.weighted_services(ns, &w.services)?;
            return Ok(Service {
                weighted: Some(Weighted {
                    services: Some(services),
                    sticky: w.sticky.clone(),
                    health_check: w.health_check.clone(),
                }),
                ..Service::default()
            });
        }
        if let Some(h) = &spec.highest_random_weight {
            let services = self.weighted_services(ns, &h.services)?;
            return Ok(Service {
                highest_random_weight: Some(HighestRandomWeight {
                    services: Some(services),
                    health_check: h.health_check.clone(),
                }),
                ..Service::default()
            });
        }
        if let Some(m) = &spec.mirroring {
            let main = self.referenced(ns, &m.service)?;
            let mut mirrors = Vec::new();
            for mirror in &m.mirrors {
                mirrors.push(MirrorService {
                    name: Some(self.referenced(ns, &mirror.service)?),
                    percent: mirror.percent,
                });
            }
            return Ok(Service {
                mirroring: Some(Mirroring {
                    service: Some(main),
                    mirror_body: m.mirror_body,
                    max_body_size: m.max_body_size,
                    mirrors: Some(mirrors),
                    health_check: None,
                }),
                ..Service::default()
            });
        }
        let f = spec.failover.as_ref().ok_or("unspecified service type")?;
        Ok(Service {
            failover: Some(Failover {
                service: Some(self.referenced(ns, &f.service)?),
                fallback: Some(self.referenced(ns, &f.fallback)?),
                health_check: f.health_check.clone(),
                errors: f.errors.clone(),
            }),
            ..Service::default()
        })
    }

    /// The children of a weighted (or HRW) service: each added, by name, with its
    /// weight (default 1).
    pub(super) fn weighted_services(
        &mut self,
        ns: &str,
        refs: &[WeightedServiceRef],
    ) -> Result<Vec<WeightedService>, String> {
        let mut services = Vec::new();
        for r in refs {
            services.push(WeightedService {
                name: Some(self.referenced(ns, &r.service)?),
                weight: Some(r.weight.unwrap_or(1)),
            });
        }
        Ok(services)
    }

    /// Resolves a reference from an object in `ns`, adding the load balancer of a
    /// Kubernetes Service under its full name; the name to refer to it by.
    pub(super) fn referenced(&mut self, ns: &str, r: &ServiceRef) -> Result<String, String> {
        let (name, service) = self.name_and_service(ns, r)?;
        if let Some(service) = service {
            self.out.add_service(name.clone(), service);
        }
        Ok(name)
    }

    /// The full name of a referenced service and, for a Kubernetes Service, its
    /// load balancer (`nameAndService`).
    pub(super) fn name_and_service(
        &self,
        parent_ns: &str,
        r: &ServiceRef,
    ) -> Result<(String, Option<Service>), String> {
        let ns = r
            .namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(parent_ns);
        if !self.namespace_allowed(parent_ns, ns) {
            return Err(format!(
                "service {ns}/{} not in the parent resource namespace {parent_ns}",
                r.name
            ));
        }
        match r.kind.as_deref().unwrap_or("Service") {
            "" | "Service" => {
                let lb = self.load_balancer(ns, r)?;
                let port = r.port.as_ref().map(port_text).unwrap_or_default();
                let name = names::normalize(&format!("{ns}-{}-{port}", r.name));
                Ok((name, Some(lb)))
            }
            "TraefikService" => Ok((traefik_service_name(ns, &r.name), None)),
            other => Err(format!("unsupported service kind {other}")),
        }
    }

    /// The load balancer over a Kubernetes Service's servers (`buildServersLB`).
    pub(super) fn load_balancer(&self, ns: &str, r: &ServiceRef) -> Result<Service, String> {
        if r.node_port_lb == Some(true) {
            return Err(format!(
                "service {ns}/{}: nodePortLB is not supported",
                r.name
            ));
        }
        if r.middlewares.as_ref().is_some_and(|m| !m.is_empty()) {
            return Err(format!(
                "service {ns}/{}: service-level middlewares are not supported; put them on the route",
                r.name
            ));
        }
        let strategy = match r.strategy.as_deref() {
            None | Some("") => None,
            Some(s @ ("wrr" | "p2c")) => Some(s.to_owned()),
            Some("RoundRobin") => Some("wrr".to_owned()),
            Some(other) => return Err(format!("load-balancer strategy {other} is not supported")),
        };
        let port = r.port.clone().unwrap_or(IntOrString::Int(0));
        let urls = self.backends.servers(&PortRef {
            namespace: ns,
            name: &r.name,
            port: &port,
            scheme: r.scheme.as_deref(),
            native_lb: r.native_lb,
        })?;
        let servers_transport = match r.servers_transport.as_deref() {
            None | Some("") => None,
            Some(t) if t.contains('@') => Some(t.to_owned()),
            Some(t) => Some(names::normalize(&names::make_id(ns, t))),
        };
        Ok(Service {
            load_balancer: Some(LoadBalancer {
                sticky: r.sticky.clone(),
                servers: Some(
                    urls.into_iter()
                        .map(|url| Server {
                            url: Some(url),
                            ..Server::default()
                        })
                        .collect(),
                ),
                strategy,
                health_check: r.health_check.clone(),
                passive_health_check: r.passive_health_check.clone(),
                pass_host_header: Some(r.pass_host_header.unwrap_or(true)),
                response_forwarding: r.response_forwarding.clone(),
                servers_transport,
            }),
            ..Service::default()
        })
    }
}

/// How a route names a TraefikService: `<ns>-<name>`, or `name@provider` for
/// another provider's service (`api@internal`, `svc@file`), or `<ns>-<name>` for
/// `name@kubernetescrd`.
fn traefik_service_name(ns: &str, name: &str) -> String {
    match name.split_once('@') {
        None => names::normalize(&format!("{ns}-{name}")),
        Some((name, provider)) if provider == PROVIDER => names::normalize(&format!("{ns}-{name}")),
        Some((name, provider)) => format!("{}@{provider}", names::normalize(name)),
    }
}
