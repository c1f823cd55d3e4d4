//! `retry`: validated options.

use std::time::Duration;

use super::errors::StatusRanges;

/// The validated options of a `retry` middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetrySpec {
    /// `attempts`, the first included (at least 1).
    pub attempts: u32,
    /// `initialInterval`: the first backoff wait (zero: retry at once).
    pub initial_interval: Duration,
    /// `timeout`: time after which no new attempt starts (zero: none).
    pub timeout: Duration,
    /// `maxRequestBodyBytes` (default 2 MiB; `None`: no limit, Traefik's `-1`).
    pub max_request_body_bytes: Option<u64>,
    /// `status`: response statuses that are retried.
    pub status: StatusRanges,
    /// `disableRetryOnNetworkError` (default false).
    pub disable_retry_on_network_error: bool,
    /// `retryNonIdempotentMethod` (default false).
    pub retry_non_idempotent_method: bool,
}
