//! `stripPrefix` validation (not written yet).

use crate::{model::middleware::strip_prefix::StripPrefixSpec, raw::routing::StripPrefix};

pub(super) fn validate(
    path: &str,
    raw: Option<&StripPrefix>,
    provider: &str,
) -> Result<StripPrefixSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
