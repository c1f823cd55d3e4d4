//! `addPrefix` validation (not written yet).

use crate::{model::middleware::add_prefix::AddPrefixSpec, raw::routing::AddPrefix};

pub(super) fn validate(
    path: &str,
    raw: Option<&AddPrefix>,
    provider: &str,
) -> Result<AddPrefixSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
