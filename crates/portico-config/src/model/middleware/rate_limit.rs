//! `rateLimit`: validated options (not written yet).

/// The validated options of a `rateLimit` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimitSpec {}
