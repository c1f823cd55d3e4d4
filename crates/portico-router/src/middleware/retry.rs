//! `retry`.

use std::sync::Arc;

use portico_config::model::middleware::retry::RetrySpec;
use portico_core::box_http_service;
use portico_middleware::retry::RetryLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &RetrySpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let layer = RetryLayer::new(spec.attempts)
        .initial_interval(spec.initial_interval)
        .timeout(spec.timeout)
        .max_request_body_bytes(spec.max_request_body_bytes)
        .retry_statuses(spec.status.ranges().to_vec())
        .retry_network_errors(!spec.disable_retry_on_network_error)
        .retry_non_idempotent(spec.retry_non_idempotent_method);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
