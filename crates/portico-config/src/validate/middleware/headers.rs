//! `headers` validation (not written yet).

use crate::{model::middleware::headers::HeadersSpec, raw::routing::Headers};

pub(super) fn validate(
    path: &str,
    raw: Option<&Headers>,
    provider: &str,
) -> Result<HeadersSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
