//! `ipAllowList`, and the client-IP settings shared with `rateLimit` and
//! `inFlightReq`.

use std::sync::Arc;

use http::StatusCode;
use portico_config::model::middleware::{
    ip_allow_list::{IpAllowListSpec, IpStrategySpec},
    rate_limit::SourceCriterionSpec,
};
use portico_core::box_http_service;
use portico_middleware::{
    client_ip::{IpStrategy, SourceCriterion},
    ip_allow_list::IpAllowListLayer,
};
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &IpAllowListSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let status = StatusCode::from_u16(spec.reject_status_code)
        .map_err(|_| format!("invalid reject status code {}", spec.reject_status_code))?;
    let layer = IpAllowListLayer::new(spec.source_range.clone(), ip_strategy(&spec.ip_strategy)?)
        .reject_status(status);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}

/// Traefik's precedence: `depth`, then `excludedIPs`, then the peer.
pub(super) fn ip_strategy(spec: &IpStrategySpec) -> Result<IpStrategy, String> {
    let strategy = if spec.depth > 0 {
        IpStrategy::depth(usize::try_from(spec.depth).unwrap_or(usize::MAX))
    } else if !spec.excluded_ips.is_empty() {
        return Ok(IpStrategy::excluding(spec.excluded_ips.clone()));
    } else {
        IpStrategy::peer()
    };
    match spec.ipv6_subnet {
        None => Ok(strategy),
        Some(prefix) => strategy
            .with_ipv6_subnet(u32::from(prefix))
            .map_err(|e| e.to_string()),
    }
}

/// A `sourceCriterion` as the layers take it.
pub(super) fn source_criterion(spec: &SourceCriterionSpec) -> Result<SourceCriterion, String> {
    Ok(match spec {
        SourceCriterionSpec::Ip(strategy) => SourceCriterion::Ip(ip_strategy(strategy)?),
        SourceCriterionSpec::RequestHeader(name) => SourceCriterion::RequestHeader(
            name.parse()
                .map_err(|_| format!("invalid header name {name:?}"))?,
        ),
        SourceCriterionSpec::RequestHost => SourceCriterion::RequestHost,
    })
}
