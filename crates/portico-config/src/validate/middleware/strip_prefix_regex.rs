//! `stripPrefixRegex` validation (not written yet).

use crate::{
    model::middleware::strip_prefix_regex::StripPrefixRegexSpec, raw::routing::StripPrefixRegex,
};

pub(super) fn validate(
    path: &str,
    raw: Option<&StripPrefixRegex>,
    provider: &str,
) -> Result<StripPrefixRegexSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
