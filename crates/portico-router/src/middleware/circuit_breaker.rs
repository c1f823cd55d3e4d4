//! `circuitBreaker` (not wired yet).

use portico_config::model::middleware::circuit_breaker::CircuitBreakerSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &CircuitBreakerSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("circuitBreaker is not supported by this Portico version yet".to_owned())
}
