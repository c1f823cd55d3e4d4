//! `buffering` validation (not written yet).

use crate::{model::middleware::buffering::BufferingSpec, raw::routing::Buffering};

pub(super) fn validate(
    path: &str,
    raw: Option<&Buffering>,
    provider: &str,
) -> Result<BufferingSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
