//! `buffering`: validated options.

/// The validated options of a `buffering` middleware.
///
/// The retry expression is kept as written; the router parses it when it builds
/// the layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BufferingSpec {
    /// `maxRequestBodyBytes` (0: no limit).
    pub max_request_body_bytes: u64,
    /// `memRequestBodyBytes`: request bytes kept in memory before spilling to a
    /// temporary file (default 1 MiB).
    pub mem_request_body_bytes: u64,
    /// `maxResponseBodyBytes` (0: no limit).
    pub max_response_body_bytes: u64,
    /// `memResponseBodyBytes` (default 1 MiB).
    pub mem_response_body_bytes: u64,
    /// `retryExpression`, such as `IsNetworkError() && Attempts() < 2`.
    pub retry_expression: Option<String>,
    /// `disableRequestBuffer` (default false).
    pub disable_request_buffer: bool,
    /// `disableResponseBuffer` (default false).
    pub disable_response_buffer: bool,
}
