//! `rateLimit` (not wired yet).

use portico_config::model::middleware::rate_limit::RateLimitSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &RateLimitSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("rateLimit is not supported by this Portico version yet".to_owned())
}
