//! `circuitBreaker` validation (not written yet).

use crate::{model::middleware::circuit_breaker::CircuitBreakerSpec, raw::routing::CircuitBreaker};

pub(super) fn validate(
    path: &str,
    raw: Option<&CircuitBreaker>,
    provider: &str,
) -> Result<CircuitBreakerSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
