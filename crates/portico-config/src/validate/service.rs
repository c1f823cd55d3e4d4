//! `http.services.<name>` validation: exactly one kind, then the kind's own checks.
//!
//! References to other services and to transports are only qualified here; that
//! they exist, and form no cycle, is checked on the merged model
//! ([`super::service_graph`]).

mod composite;
mod health;

use std::time::Duration;

use crate::{
    model::{FlushInterval, LoadBalancerSpec, QualifiedName, ServerSpec, ServiceSpec, Strategy},
    raw::{
        Duration as RawDuration,
        routing::{LoadBalancer, Service},
    },
};

/// The transport every load balancer uses unless it names another.
const DEFAULT_TRANSPORT: &str = "default@internal";

/// Validates `http.services.<name>` at `path`; `service` is its qualified name
/// (references without `@` belong to its provider, and the default sticky cookie
/// name derives from it).
pub(super) fn service(
    path: &str,
    raw: &Service,
    service: &QualifiedName,
) -> Result<ServiceSpec, Vec<String>> {
    let kinds = [
        ("loadBalancer", raw.load_balancer.is_some()),
        ("weighted", raw.weighted.is_some()),
        ("mirroring", raw.mirroring.is_some()),
        ("failover", raw.failover.is_some()),
        ("highestRandomWeight", raw.highest_random_weight.is_some()),
    ];
    let set: Vec<&str> = kinds.iter().filter(|(_, p)| *p).map(|(k, _)| *k).collect();
    match set.as_slice() {
        [] => {
            return Err(vec![format!(
                "{path}: a service needs exactly one of loadBalancer, weighted, mirroring, failover or highestRandomWeight"
            )]);
        }
        [_] => {}
        many => {
            return Err(vec![format!(
                "{path}: a service needs exactly one kind, found {many:?}"
            )]);
        }
    }
    let mut errors = Vec::new();
    let provider = service.provider();
    let spec = if let Some(lb) = &raw.load_balancer {
        Some(ServiceSpec::LoadBalancer(load_balancer(
            &format!("{path}.loadBalancer"),
            lb,
            service,
            &mut errors,
        )))
    } else if let Some(w) = &raw.weighted {
        Some(ServiceSpec::Weighted(composite::weighted(
            &format!("{path}.weighted"),
            w,
            service,
            &mut errors,
        )))
    } else if let Some(m) = &raw.mirroring {
        composite::mirroring(&format!("{path}.mirroring"), m, provider, &mut errors)
            .map(ServiceSpec::Mirroring)
    } else if let Some(f) = &raw.failover {
        composite::failover(&format!("{path}.failover"), f, provider, &mut errors)
            .map(ServiceSpec::Failover)
    } else {
        raw.highest_random_weight.as_ref().map(|h| {
            ServiceSpec::HighestRandomWeight(composite::highest_random_weight(
                &format!("{path}.highestRandomWeight"),
                h,
                provider,
                &mut errors,
            ))
        })
    };
    match spec {
        Some(spec) if errors.is_empty() => Ok(spec),
        _ => Err(errors),
    }
}

fn load_balancer(
    path: &str,
    lb: &LoadBalancer,
    service: &QualifiedName,
    errors: &mut Vec<String>,
) -> LoadBalancerSpec {
    let mut servers = Vec::new();
    for (i, server) in lb.servers.iter().flatten().enumerate() {
        let p = format!("{path}.servers[{i}]");
        let url = match server.url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => url.to_owned(),
            _ => {
                errors.push(format!("{p}.url: url is required"));
                continue;
            }
        };
        servers.push(ServerSpec {
            url,
            weight: weight(&format!("{p}.weight"), server.weight, errors),
            preserve_path: server.preserve_path.unwrap_or(false),
        });
    }
    let strategy = match lower(lb.strategy.as_deref()).as_deref() {
        None | Some("wrr") => Strategy::Wrr,
        Some("p2c") => Strategy::P2c,
        Some(other @ ("hrw" | "leasttime")) => {
            errors.push(format!(
                "{path}.strategy: strategy {other:?} is not supported by this Portico version (use wrr or p2c)"
            ));
            Strategy::Wrr
        }
        Some(other) => {
            errors.push(format!(
                "{path}.strategy: unknown strategy {other:?} (expected wrr or p2c)"
            ));
            Strategy::Wrr
        }
    };
    let flush_interval = match lb
        .response_forwarding
        .as_ref()
        .and_then(|r| r.flush_interval.as_ref())
    {
        None => FlushInterval::DEFAULT,
        Some(d) => d
            .as_std()
            .map_or(FlushInterval::EveryWrite, FlushInterval::Every),
    };
    LoadBalancerSpec {
        servers,
        strategy,
        pass_host_header: lb.pass_host_header.unwrap_or(true),
        sticky: lb
            .sticky
            .as_ref()
            .and_then(|s| health::sticky(&format!("{path}.sticky"), s, service, errors)),
        health_check: lb
            .health_check
            .as_ref()
            .map(|hc| health::active(&format!("{path}.healthCheck"), hc, errors)),
        passive_health_check: lb
            .passive_health_check
            .as_ref()
            .map(|p| health::passive(&format!("{path}.passiveHealthCheck"), p, errors)),
        flush_interval,
        servers_transport: lb
            .servers_transport
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| QualifiedName::resolve(t, service.provider()))
            .filter(|t| t.as_str() != DEFAULT_TRANSPORT),
    }
}

/// A weight: default 1, between 0 and `u32::MAX`.
fn weight(path: &str, raw: Option<i64>, errors: &mut Vec<String>) -> u32 {
    match raw.map(u32::try_from) {
        None => 1,
        Some(Ok(w)) => w,
        Some(Err(_)) => {
            errors.push(format!(
                "{path}: must be between 0 and {}, got {}",
                u32::MAX,
                raw.unwrap_or_default()
            ));
            1
        }
    }
}

/// A required service reference, qualified with `provider` when it has no `@`.
fn reference(
    path: &str,
    raw: Option<&str>,
    provider: &str,
    errors: &mut Vec<String>,
) -> Option<QualifiedName> {
    match raw.map(str::trim) {
        Some(r) if !r.is_empty() => Some(QualifiedName::resolve(r, provider)),
        _ => {
            errors.push(format!("{path}: a service name is required"));
            None
        }
    }
}

/// A duration that must be above zero when given; `default` when absent.
fn positive(
    path: &str,
    raw: Option<&RawDuration>,
    default: Duration,
    errors: &mut Vec<String>,
) -> Duration {
    match raw {
        None => default,
        Some(d) => match d.as_std() {
            Some(value) if !value.is_zero() => value,
            _ => {
                errors.push(format!("{path}: must be above zero, found {d}"));
                default
            }
        },
    }
}

/// A trimmed, lower-case option value; `None` when absent or empty.
fn lower(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests;
