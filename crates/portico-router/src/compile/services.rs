//! Building services, reusing those whose definition (and whose children and
//! transport) did not change, so balancer state, health and sticky pins survive a
//! reload.

use std::{
    collections::{BTreeMap, HashMap},
    str::FromStr,
    sync::Arc,
};

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, uri::PathAndQuery};
use portico_config::model::{
    CookieSameSite, FlushInterval, HealthCheckMode, HealthCheckSpec, LoadBalancerSpec,
    PassiveHealthCheckSpec, QualifiedName, ServiceSpec, StickyCookieSpec, Strategy,
};
use portico_core::{BoxHttpService, box_http_service};
use portico_proxy::{Forwarder, Target, Transport, UpstreamProtocol};
use portico_service::{
    ActiveHealthCheck, Failover, HighestRandomWeight, LoadBalancer, Mirror, Mirroring,
    PassiveHealthCheck, SameSite, ServiceHealth, StickyCookie, Weighted, WeightedChild, balancer,
};

use super::transports::BuiltTransport;

/// A service built from a spec, kept for reuse by the next compilation.
#[derive(Debug)]
pub(super) struct BuiltService {
    pub(super) spec: ServiceSpec,
    pub(super) service: BoxHttpService,
    pub(super) health: ServiceHealth,
    /// The built children (services of services) and transport, compared by
    /// identity to decide reuse.
    children: Vec<Arc<BuiltService>>,
    transport: Option<Arc<BuiltTransport>>,
}

/// What services are built from in one compilation.
pub(super) struct ServiceBuilder<'a> {
    pub(super) specs: &'a BTreeMap<QualifiedName, Result<ServiceSpec, Vec<String>>>,
    pub(super) transports: &'a HashMap<QualifiedName, Result<Arc<BuiltTransport>, Vec<String>>>,
    pub(super) default_transport: &'a Transport,
    pub(super) previous: HashMap<QualifiedName, Arc<BuiltService>>,
}

type Built = HashMap<QualifiedName, Result<Arc<BuiltService>, Vec<String>>>;

// === impl ServiceBuilder ===

impl ServiceBuilder<'_> {
    /// Builds every service, children before their parents (an explicit stack, so a
    /// deep chain of references cannot overflow the thread's stack). References to
    /// unknown, invalid or cyclic services fail the referring service.
    pub(super) fn build_all(mut self) -> Built {
        let specs = self.specs;
        let mut built: Built = HashMap::with_capacity(specs.len());
        for (name, spec) in specs {
            if let Err(errors) = spec {
                built.insert(name.clone(), Err(errors.clone()));
            }
        }
        for root in specs.keys() {
            // (name, children pushed?) — a post-order walk.
            let mut stack: Vec<(&QualifiedName, bool)> = vec![(root, false)];
            let mut on_path: Vec<&QualifiedName> = Vec::new();
            while let Some((name, expanded)) = stack.pop() {
                if built.contains_key(name) {
                    continue;
                }
                let Some(Ok(spec)) = specs.get(name) else {
                    continue; // unknown: reported by the parent when it is built
                };
                if expanded {
                    on_path.retain(|n| *n != name);
                    let result = self.build(name, spec, &built);
                    built.insert(name.clone(), result);
                    continue;
                }
                if on_path.contains(&name) {
                    // A cycle the configuration check did not catch: refuse it here.
                    built.insert(
                        name.clone(),
                        Err(vec![format!(
                            "service {:?} references itself",
                            name.as_str()
                        )]),
                    );
                    continue;
                }
                on_path.push(name);
                stack.push((name, true));
                for child in spec.children() {
                    if !built.contains_key(child) && !on_path.contains(&child) {
                        stack.push((child, false));
                    }
                }
            }
        }
        built
    }

    fn build(
        &mut self,
        name: &QualifiedName,
        spec: &ServiceSpec,
        built: &Built,
    ) -> Result<Arc<BuiltService>, Vec<String>> {
        let mut children = Vec::new();
        for child in spec.children() {
            match built.get(child) {
                Some(Ok(b)) => children.push(b.clone()),
                Some(Err(errors)) => {
                    return Err(vec![format!(
                        "service {:?} is invalid: {}",
                        child.as_str(),
                        errors.join("; ")
                    )]);
                }
                None => {
                    return Err(vec![format!("service {:?} does not exist", child.as_str())]);
                }
            }
        }
        let transport = match spec {
            ServiceSpec::LoadBalancer(LoadBalancerSpec {
                servers_transport: Some(t),
                ..
            }) => match self.transports.get(t) {
                Some(Ok(t)) => Some(t.clone()),
                Some(Err(errors)) => {
                    return Err(vec![format!(
                        "serversTransport {:?} is invalid: {}",
                        t.as_str(),
                        errors.join("; ")
                    )]);
                }
                None => {
                    return Err(vec![format!(
                        "serversTransport {:?} does not exist",
                        t.as_str()
                    )]);
                }
            },
            _ => None,
        };

        if let Some(old) = self.previous.remove(name)
            && &old.spec == spec
            && same(&old.children, &children)
            && match (&old.transport, &transport) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
        {
            return Ok(old);
        }

        let child = |i: usize| (children[i].service.clone(), children[i].health.clone());
        let weighted = |services: &[(QualifiedName, u32)]| -> Vec<WeightedChild> {
            services
                .iter()
                .zip(&children)
                .map(|((n, w), c)| {
                    WeightedChild::new(n.as_str(), *w, c.service.clone(), c.health.clone())
                })
                .collect()
        };
        let (service, health) = match spec {
            ServiceSpec::LoadBalancer(lb) => {
                let transport = transport
                    .as_ref()
                    .map_or(self.default_transport, |t| &t.transport);
                let balancer = load_balancer(name, lb, transport)?;
                let health = balancer.health();
                (box_http_service(balancer), health)
            }
            ServiceSpec::Weighted(w) => {
                let s = Weighted::new(weighted(&w.services))
                    .sticky(w.sticky.as_ref().map(sticky_cookie))
                    .health_check(w.health_check);
                let health = s.health();
                (box_http_service(s), health)
            }
            ServiceSpec::HighestRandomWeight(h) => {
                let s =
                    HighestRandomWeight::new(weighted(&h.services)).health_check(h.health_check);
                let health = s.health();
                (box_http_service(s), health)
            }
            ServiceSpec::Mirroring(m) => {
                let mirrors = m
                    .mirrors
                    .iter()
                    .enumerate()
                    .map(|(i, (n, percent))| {
                        Mirror::new(n.as_str(), children[i + 1].service.clone(), *percent)
                    })
                    .collect();
                let s = Mirroring::new(child(0), mirrors)
                    .mirror_body(m.mirror_body)
                    .max_body_size(m.max_body_size)
                    .health_check(m.health_check);
                let health = s.health();
                (box_http_service(s), health)
            }
            ServiceSpec::Failover(f) => {
                let mut s = Failover::new(child(0), child(1)).health_check(f.health_check);
                if let Some(errors) = &f.errors {
                    s = s
                        .error_statuses(
                            errors
                                .status
                                .iter()
                                .map(|r| (*r.start(), *r.end()))
                                .collect(),
                        )
                        .max_request_body_bytes(errors.max_request_body_bytes);
                }
                let health = s.health();
                (box_http_service(s), health)
            }
        };
        Ok(Arc::new(BuiltService {
            spec: spec.clone(),
            service,
            health,
            children,
            transport,
        }))
    }
}

fn same(a: &[Arc<BuiltService>], b: &[Arc<BuiltService>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x, y))
}

fn load_balancer(
    name: &QualifiedName,
    lb: &LoadBalancerSpec,
    transport: &Transport,
) -> Result<LoadBalancer, Vec<String>> {
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
    let active = match &lb.health_check {
        Some(hc) => match active_check(hc) {
            Ok(check) => Some(check),
            Err(e) => {
                errors.push(format!("loadBalancer.healthCheck.{e}"));
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    // Responses are forwarded frame by frame as they arrive, which honours every
    // `flushInterval` (see `portico_proxy::Forwarder`).
    let _: FlushInterval = lb.flush_interval;
    let forwarder = Forwarder::new(transport.clone()).pass_host_header(lb.pass_host_header);
    LoadBalancer::builder(name.as_str(), forwarder)
        .servers(servers)
        .strategy(match lb.strategy {
            Strategy::Wrr => balancer::Strategy::Wrr,
            Strategy::P2c => balancer::Strategy::P2c,
        })
        .sticky(lb.sticky.as_ref().map(sticky_cookie))
        .health_check(active)
        .passive_health_check(lb.passive_health_check.as_ref().map(passive_check))
        .build()
        .map_err(|e| vec![e.to_string()])
}

fn sticky_cookie(spec: &StickyCookieSpec) -> StickyCookie {
    StickyCookie::new(spec.name.clone())
        .secure(spec.secure)
        .http_only(spec.http_only)
        .same_site(spec.same_site.map(|s| match s {
            CookieSameSite::None => SameSite::None,
            CookieSameSite::Lax => SameSite::Lax,
            CookieSameSite::Strict => SameSite::Strict,
        }))
        .max_age(Some(spec.max_age))
        .path(spec.path.clone())
        .domain(spec.domain.clone())
}

fn passive_check(spec: &PassiveHealthCheckSpec) -> PassiveHealthCheck {
    PassiveHealthCheck {
        failure_window: spec.failure_window,
        max_failed_attempts: spec.max_failed_attempts,
    }
}

/// The runtime check of `spec`; errors start with the key (`path: ...`).
fn active_check(spec: &HealthCheckSpec) -> Result<ActiveHealthCheck, String> {
    let path = match &spec.path {
        Some(p) => {
            let p = if p.starts_with('/') {
                p.clone()
            } else {
                format!("/{p}")
            };
            PathAndQuery::from_str(&p).map_err(|e| format!("path: invalid path {p:?}: {e}"))?
        }
        None => PathAndQuery::from_static("/"),
    };
    let method = Method::from_bytes(spec.method.as_bytes())
        .map_err(|_| format!("method: invalid method {:?}", spec.method))?;
    let scheme = match spec.scheme.as_deref() {
        None => None,
        Some("http") => Some(UpstreamProtocol::Http1),
        Some("https") => Some(UpstreamProtocol::Https),
        Some("h2c") => Some(UpstreamProtocol::H2c),
        Some(other) => return Err(format!("scheme: unsupported scheme {other:?}")),
    };
    let hostname = spec
        .hostname
        .as_deref()
        .map(|h| HeaderValue::from_str(h).map_err(|_| format!("hostname: invalid host {h:?}")))
        .transpose()?;
    let mut headers = HeaderMap::new();
    for (name, value) in &spec.headers {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("headers: invalid header name {name:?}"))?;
        let v = HeaderValue::from_str(value)
            .map_err(|_| format!("headers.{name}: invalid header value"))?;
        headers.append(n, v);
    }
    let expected_status = spec
        .status
        .map(|s| StatusCode::from_u16(s).map_err(|_| format!("status: invalid status {s}")))
        .transpose()?;
    Ok(ActiveHealthCheck {
        mode: match spec.mode {
            HealthCheckMode::Http => portico_service::HealthCheckMode::Http,
            HealthCheckMode::Grpc => portico_service::HealthCheckMode::Grpc,
        },
        path,
        method,
        scheme,
        port: spec.port,
        hostname,
        headers,
        expected_status,
        interval: spec.interval,
        unhealthy_interval: Some(spec.unhealthy_interval),
        timeout: spec.timeout,
        follow_redirects: spec.follow_redirects,
    })
}
