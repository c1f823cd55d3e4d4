//! `retry` validation (not written yet).

use crate::{model::middleware::retry::RetrySpec, raw::routing::Retry};

pub(super) fn validate(
    path: &str,
    raw: Option<&Retry>,
    provider: &str,
) -> Result<RetrySpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
