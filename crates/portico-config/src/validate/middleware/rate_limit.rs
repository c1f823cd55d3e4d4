//! `rateLimit` validation (not written yet).

use crate::{model::middleware::rate_limit::RateLimitSpec, raw::routing::RateLimit};

pub(super) fn validate(
    path: &str,
    raw: Option<&RateLimit>,
    provider: &str,
) -> Result<RateLimitSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
