//! `replacePathRegex` validation (not written yet).

use crate::{
    model::middleware::replace_path_regex::ReplacePathRegexSpec, raw::routing::ReplacePathRegex,
};

pub(super) fn validate(
    path: &str,
    raw: Option<&ReplacePathRegex>,
    provider: &str,
) -> Result<ReplacePathRegexSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
