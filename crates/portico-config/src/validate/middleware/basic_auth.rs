//! `basicAuth` validation (not written yet).

use crate::{model::middleware::basic_auth::BasicAuthSpec, raw::routing::BasicAuth};

pub(super) fn validate(
    path: &str,
    raw: Option<&BasicAuth>,
    provider: &str,
) -> Result<BasicAuthSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
