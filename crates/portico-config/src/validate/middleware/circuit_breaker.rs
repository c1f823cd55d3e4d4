//! `circuitBreaker` validation (the expression's syntax is checked when the
//! router builds the layer).

use std::time::Duration;

use super::retry::duration;
use crate::{model::middleware::circuit_breaker::CircuitBreakerSpec, raw::routing::CircuitBreaker};

pub(super) fn validate(
    path: &str,
    raw: Option<&CircuitBreaker>,
    _provider: &str,
) -> Result<CircuitBreakerSpec, Vec<String>> {
    let default = CircuitBreaker::default();
    let raw = raw.unwrap_or(&default);
    let mut errors = Vec::new();
    let expression = raw.expression.clone().unwrap_or_default();
    if expression.trim().is_empty() {
        errors.push(format!(
            "{path}.expression: required, such as `NetworkErrorRatio() > 0.5`"
        ));
    }
    let check_period = duration(
        &format!("{path}.checkPeriod"),
        raw.check_period.as_ref(),
        Duration::from_millis(100),
        &mut errors,
    );
    let fallback_duration = duration(
        &format!("{path}.fallbackDuration"),
        raw.fallback_duration.as_ref(),
        Duration::from_secs(10),
        &mut errors,
    );
    let recovery_duration = duration(
        &format!("{path}.recoveryDuration"),
        raw.recovery_duration.as_ref(),
        Duration::from_secs(10),
        &mut errors,
    );
    let response_code = match raw.response_code {
        None | Some(0) => 503,
        Some(code) => match u16::try_from(code).ok().filter(|c| (100..=599).contains(c)) {
            Some(c) => c,
            None => {
                errors.push(format!(
                    "{path}.responseCode: invalid HTTP status code {code}"
                ));
                503
            }
        },
    };
    if errors.is_empty() {
        Ok(CircuitBreakerSpec {
            expression,
            check_period,
            fallback_duration,
            recovery_duration,
            response_code,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::ip_allow_list::check;
    use crate::model::middleware::{MiddlewareSpec, circuit_breaker::CircuitBreakerSpec};

    #[test]
    fn defaults() {
        assert_eq!(
            check("circuitBreaker:\n  expression: NetworkErrorRatio() > 0.5"),
            Ok(MiddlewareSpec::CircuitBreaker(CircuitBreakerSpec {
                expression: "NetworkErrorRatio() > 0.5".into(),
                check_period: Duration::from_millis(100),
                fallback_duration: Duration::from_secs(10),
                recovery_duration: Duration::from_secs(10),
                response_code: 503,
            }))
        );
        let Ok(MiddlewareSpec::CircuitBreaker(spec)) = check(
            "circuitBreaker:\n  expression: LatencyAtQuantileMS(50.0) > 100\n  checkPeriod: 1s\n  fallbackDuration: 30s\n  recoveryDuration: 1m\n  responseCode: 429",
        ) else {
            panic!("valid");
        };
        assert_eq!(spec.check_period, Duration::from_secs(1));
        assert_eq!(spec.fallback_duration, Duration::from_secs(30));
        assert_eq!(spec.recovery_duration, Duration::from_secs(60));
        assert_eq!(spec.response_code, 429);
    }

    #[test]
    fn refusals() {
        let joined = |yaml: &str| check(yaml).unwrap_err().join("\n");
        assert!(joined("circuitBreaker: {}").contains("circuitBreaker.expression: required"));
        assert!(
            joined("circuitBreaker:\n  expression: x\n  responseCode: 99")
                .contains("responseCode: invalid HTTP status code 99")
        );
        assert!(
            joined("circuitBreaker:\n  expression: x\n  fallbackDuration: -2s")
                .contains("fallbackDuration: must not be negative")
        );
    }
}
