//! `errors` validation (not written yet).

use crate::{model::middleware::errors::ErrorsSpec, raw::routing::Errors};

pub(super) fn validate(
    path: &str,
    raw: Option<&Errors>,
    provider: &str,
) -> Result<ErrorsSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
