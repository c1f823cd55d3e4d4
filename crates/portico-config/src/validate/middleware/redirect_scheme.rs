//! `redirectScheme` validation (not written yet).

use crate::{model::middleware::redirect_scheme::RedirectSchemeSpec, raw::routing::RedirectScheme};

pub(super) fn validate(
    path: &str,
    raw: Option<&RedirectScheme>,
    provider: &str,
) -> Result<RedirectSchemeSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
