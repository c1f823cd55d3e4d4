//! `buffering`: the retry expression is parsed here (a syntax error disables the
//! routers using the middleware).

use std::sync::Arc;

use portico_config::model::middleware::buffering::BufferingSpec;
use portico_core::box_http_service;
use portico_middleware::buffering::BufferingLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &BufferingSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let mut layer = BufferingLayer::new()
        .max_request_body_bytes(spec.max_request_body_bytes)
        .mem_request_body_bytes(spec.mem_request_body_bytes)
        .max_response_body_bytes(spec.max_response_body_bytes)
        .mem_response_body_bytes(spec.mem_response_body_bytes)
        .request_buffer(!spec.disable_request_buffer)
        .response_buffer(!spec.disable_response_buffer);
    if let Some(expression) = &spec.retry_expression {
        layer = layer
            .retry_expression(expression)
            .map_err(|e| format!("retryExpression: {e}"))?;
    }
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
