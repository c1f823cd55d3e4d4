//! `circuitBreaker`: validated options.

use std::time::Duration;

/// The validated options of a `circuitBreaker` middleware.
///
/// The expression is kept as written; the router parses it when it builds the
/// layer, so a syntax error disables the routers using it with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircuitBreakerSpec {
    /// `expression`, such as `NetworkErrorRatio() > 0.5` (not empty).
    pub expression: String,
    /// `checkPeriod` (default 100ms).
    pub check_period: Duration,
    /// `fallbackDuration` (default 10s).
    pub fallback_duration: Duration,
    /// `recoveryDuration` (default 10s).
    pub recovery_duration: Duration,
    /// `responseCode` while open (default 503).
    pub response_code: u16,
}
