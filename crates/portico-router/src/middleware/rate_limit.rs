//! `rateLimit`: one set of buckets per router, as Traefik builds it.

use std::sync::Arc;

use portico_config::model::middleware::rate_limit::RateLimitSpec;
use portico_core::box_http_service;
use portico_middleware::rate_limit::RateLimitLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer, ip_allow_list::source_criterion};

pub(super) fn build(spec: &RateLimitSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let criterion = source_criterion(&spec.source_criterion)?;
    let (average, period, burst) = (spec.average, spec.period, spec.burst);
    Ok(Arc::new(move |inner| {
        let layer = RateLimitLayer::new(average, period, burst, criterion.clone());
        box_http_service(layer.layer(inner))
    }))
}
