//! `retry` validation, and the duration and size checks shared with
//! `circuitBreaker` and `buffering`.

use std::time::Duration;

use crate::{
    model::middleware::{errors::StatusRanges, retry::RetrySpec},
    raw::{Duration as RawDuration, routing::Retry},
};

/// Traefik's `RetryDefaultMaxRequestBodyBytes`.
const DEFAULT_MAX_REQUEST_BODY_BYTES: u64 = 2 * 1024 * 1024;

pub(super) fn validate(
    path: &str,
    raw: Option<&Retry>,
    _provider: &str,
) -> Result<RetrySpec, Vec<String>> {
    let default = Retry::default();
    let raw = raw.unwrap_or(&default);
    let mut errors = Vec::new();
    let attempts = match raw.attempts {
        Some(a) if a > 0 => u32::try_from(a).unwrap_or(u32::MAX),
        other => {
            errors.push(format!(
                "{path}.attempts: must be at least 1, found {}",
                other.map_or_else(|| "nothing".to_owned(), |a| a.to_string())
            ));
            1
        }
    };
    let initial_interval = duration(
        &format!("{path}.initialInterval"),
        raw.initial_interval.as_ref(),
        Duration::ZERO,
        &mut errors,
    );
    let timeout = duration(
        &format!("{path}.timeout"),
        raw.timeout.as_ref(),
        Duration::ZERO,
        &mut errors,
    );
    let max_request_body_bytes = match raw.max_request_body_bytes {
        None => Some(DEFAULT_MAX_REQUEST_BODY_BYTES),
        Some(n) if n < 0 => None,
        Some(n) => Some(n.unsigned_abs()),
    };
    let status = match StatusRanges::parse(raw.status.as_deref().unwrap_or_default()) {
        Ok(ranges) => ranges,
        Err(e) => {
            errors.push(format!("{path}.status: {e}"));
            StatusRanges::default()
        }
    };
    let disable_retry_on_network_error = raw.disable_retry_on_network_error.unwrap_or(false);
    if disable_retry_on_network_error && raw.status.as_deref().unwrap_or_default().is_empty() {
        errors.push(format!(
            "{path}.status: required when disableRetryOnNetworkError is set (nothing would be retried)"
        ));
    }
    if errors.is_empty() {
        Ok(RetrySpec {
            attempts,
            initial_interval,
            timeout,
            max_request_body_bytes,
            status,
            disable_retry_on_network_error,
            retry_non_idempotent_method: raw.retry_non_idempotent_method.unwrap_or(false),
        })
    } else {
        Err(errors)
    }
}

/// A duration that must not be negative; zero or absent gives `default`.
pub(super) fn duration(
    path: &str,
    raw: Option<&RawDuration>,
    default: Duration,
    errors: &mut Vec<String>,
) -> Duration {
    match raw.map(|d| (d, d.as_std())) {
        None => default,
        Some((d, None)) => {
            errors.push(format!("{path}: must not be negative, found {d}"));
            default
        }
        Some((_, Some(d))) if d.is_zero() => default,
        Some((_, Some(d))) => d,
    }
}

/// A byte count that must not be negative; zero or absent gives `default`.
pub(super) fn bytes(path: &str, raw: Option<i64>, default: u64, errors: &mut Vec<String>) -> u64 {
    match raw {
        None | Some(0) => default,
        Some(n) if n < 0 => {
            errors.push(format!("{path}: must not be negative, found {n}"));
            default
        }
        Some(n) => n.unsigned_abs(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::ip_allow_list::check;
    use crate::model::middleware::{MiddlewareSpec, errors::StatusRanges, retry::RetrySpec};

    #[test]
    fn defaults_and_full_form() {
        assert_eq!(
            check("retry:\n  attempts: 3"),
            Ok(MiddlewareSpec::Retry(RetrySpec {
                attempts: 3,
                initial_interval: Duration::ZERO,
                timeout: Duration::ZERO,
                max_request_body_bytes: Some(2 * 1024 * 1024),
                status: StatusRanges::default(),
                disable_retry_on_network_error: false,
                retry_non_idempotent_method: false,
            }))
        );
        let Ok(MiddlewareSpec::Retry(spec)) = check(
            "retry:\n  attempts: 4\n  initialInterval: 100ms\n  timeout: 60s\n  maxRequestBodyBytes: -1\n  status: [\"400\", \"500-599\"]\n  disableRetryOnNetworkError: true\n  retryNonIdempotentMethod: true",
        ) else {
            panic!("valid");
        };
        assert_eq!(spec.initial_interval, Duration::from_millis(100));
        assert_eq!(spec.timeout, Duration::from_secs(60));
        assert_eq!(spec.max_request_body_bytes, None);
        assert!(
            spec.status.contains(400) && spec.status.contains(599) && !spec.status.contains(401)
        );
        assert!(spec.disable_retry_on_network_error && spec.retry_non_idempotent_method);
    }

    #[test]
    fn refusals() {
        let joined = |yaml: &str| check(yaml).unwrap_err().join("\n");
        assert!(joined("retry: {}").contains("retry.attempts: must be at least 1, found nothing"));
        assert!(joined("retry:\n  attempts: 0").contains("found 0"));
        assert!(
            joined("retry:\n  attempts: 2\n  status: [\"5xx\"]")
                .contains("retry.status: invalid status code or range \"5xx\"")
        );
        assert!(
            joined("retry:\n  attempts: 2\n  status: [\"599-500\"]")
                .contains("empty (low above high)")
        );
        assert!(
            joined("retry:\n  attempts: 2\n  initialInterval: -1s")
                .contains("retry.initialInterval: must not be negative")
        );
        assert!(
            joined("retry:\n  attempts: 2\n  disableRetryOnNetworkError: true")
                .contains("retry.status: required when disableRetryOnNetworkError is set")
        );
    }
}
