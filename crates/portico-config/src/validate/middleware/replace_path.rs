//! `replacePath` validation (not written yet).

use crate::{model::middleware::replace_path::ReplacePathSpec, raw::routing::ReplacePath};

pub(super) fn validate(
    path: &str,
    raw: Option<&ReplacePath>,
    provider: &str,
) -> Result<ReplacePathSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
