//! `buffering` validation (the retry expression's syntax is checked when the
//! router builds the layer).

use super::retry::bytes;
use crate::{model::middleware::buffering::BufferingSpec, raw::routing::Buffering};

/// Traefik's default for `memRequestBodyBytes` and `memResponseBodyBytes`.
const DEFAULT_MEM_BYTES: u64 = 1024 * 1024;

pub(super) fn validate(
    path: &str,
    raw: Option<&Buffering>,
    _provider: &str,
) -> Result<BufferingSpec, Vec<String>> {
    let default = Buffering::default();
    let raw = raw.unwrap_or(&default);
    let mut errors = Vec::new();
    let spec = BufferingSpec {
        max_request_body_bytes: bytes(
            &format!("{path}.maxRequestBodyBytes"),
            raw.max_request_body_bytes,
            0,
            &mut errors,
        ),
        mem_request_body_bytes: bytes(
            &format!("{path}.memRequestBodyBytes"),
            raw.mem_request_body_bytes,
            DEFAULT_MEM_BYTES,
            &mut errors,
        ),
        max_response_body_bytes: bytes(
            &format!("{path}.maxResponseBodyBytes"),
            raw.max_response_body_bytes,
            0,
            &mut errors,
        ),
        mem_response_body_bytes: bytes(
            &format!("{path}.memResponseBodyBytes"),
            raw.mem_response_body_bytes,
            DEFAULT_MEM_BYTES,
            &mut errors,
        ),
        retry_expression: raw
            .retry_expression
            .clone()
            .filter(|e| !e.trim().is_empty()),
        disable_request_buffer: raw.disable_request_buffer.unwrap_or(false),
        disable_response_buffer: raw.disable_response_buffer.unwrap_or(false),
    };
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ip_allow_list::check;
    use crate::model::middleware::{MiddlewareSpec, buffering::BufferingSpec};

    #[test]
    fn defaults_and_refusals() {
        assert_eq!(
            check("buffering: {}"),
            Ok(MiddlewareSpec::Buffering(BufferingSpec {
                max_request_body_bytes: 0,
                mem_request_body_bytes: 1024 * 1024,
                max_response_body_bytes: 0,
                mem_response_body_bytes: 1024 * 1024,
                retry_expression: None,
                disable_request_buffer: false,
                disable_response_buffer: false,
            }))
        );
        let Ok(MiddlewareSpec::Buffering(spec)) = check(
            "buffering:\n  maxRequestBodyBytes: 2000000\n  memResponseBodyBytes: 10\n  retryExpression: IsNetworkError() && Attempts() < 2\n  disableResponseBuffer: true",
        ) else {
            panic!("valid");
        };
        assert_eq!(spec.max_request_body_bytes, 2_000_000);
        assert_eq!(spec.mem_response_body_bytes, 10);
        assert_eq!(
            spec.retry_expression.as_deref(),
            Some("IsNetworkError() && Attempts() < 2")
        );
        assert!(spec.disable_response_buffer);
        let errors = check("buffering:\n  maxResponseBodyBytes: -5").unwrap_err();
        assert_eq!(
            errors,
            vec![
                "http.middlewares.m.buffering.maxResponseBodyBytes: must not be negative, found -5"
            ]
        );
    }
}
