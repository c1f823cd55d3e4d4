//! `circuitBreaker`: validated options (not written yet).

/// The validated options of a `circuitBreaker` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CircuitBreakerSpec {}
