//! `rateLimit`: validated options, and the `sourceCriterion` shared with
//! `inFlightReq`.

use std::time::Duration;

use super::ip_allow_list::IpStrategySpec;

/// The validated options of a `rateLimit` middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitSpec {
    /// `average`: requests allowed per `period` (0: no limit).
    pub average: u64,
    /// `period` (default 1s, never zero).
    pub period: Duration,
    /// `burst` (default 1, at least 1).
    pub burst: u64,
    /// `sourceCriterion` (default: the client IP, peer strategy).
    pub source_criterion: SourceCriterionSpec,
}

/// What a source is (`sourceCriterion`). When several are set, Traefik's
/// precedence applies: `ipStrategy`, then `requestHeaderName`, then `requestHost`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceCriterionSpec {
    /// `ipStrategy`: the client IP.
    Ip(IpStrategySpec),
    /// `requestHeaderName`: the value of this header (a valid header name).
    RequestHeader(String),
    /// `requestHost`: the requested host.
    RequestHost,
}
