//! `digestAuth` validation (not written yet).

use crate::{model::middleware::digest_auth::DigestAuthSpec, raw::routing::DigestAuth};

pub(super) fn validate(
    path: &str,
    raw: Option<&DigestAuth>,
    provider: &str,
) -> Result<DigestAuthSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
