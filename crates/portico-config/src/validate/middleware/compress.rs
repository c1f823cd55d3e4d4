//! `compress` validation (not written yet).

use crate::{model::middleware::compress::CompressSpec, raw::routing::Compress};

pub(super) fn validate(
    path: &str,
    raw: Option<&Compress>,
    provider: &str,
) -> Result<CompressSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
