//! `circuitBreaker`: the expression is parsed here (a syntax error disables the
//! routers using the middleware); one breaker per router, as Traefik builds it.

use std::sync::Arc;

use http::StatusCode;
use portico_config::model::middleware::circuit_breaker::CircuitBreakerSpec;
use portico_core::box_http_service;
use portico_middleware::circuit_breaker::CircuitBreakerLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &CircuitBreakerSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let status = StatusCode::from_u16(spec.response_code)
        .map_err(|_| format!("invalid response code {}", spec.response_code))?;
    let template = CircuitBreakerLayer::new(&spec.expression)
        .map_err(|e| e.to_string())?
        .check_period(spec.check_period)
        .fallback_duration(spec.fallback_duration)
        .recovery_duration(spec.recovery_duration)
        .fallback_status(status);
    Ok(Arc::new(move |inner| {
        box_http_service(template.with_fresh_state().layer(inner))
    }))
}
