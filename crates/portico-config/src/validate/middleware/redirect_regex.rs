//! `redirectRegex` validation (not written yet).

use crate::{model::middleware::redirect_regex::RedirectRegexSpec, raw::routing::RedirectRegex};

pub(super) fn validate(
    path: &str,
    raw: Option<&RedirectRegex>,
    provider: &str,
) -> Result<RedirectRegexSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
