//! `forwardAuth` validation (not written yet).

use crate::{model::middleware::forward_auth::ForwardAuthSpec, raw::routing::ForwardAuth};

pub(super) fn validate(
    path: &str,
    raw: Option<&ForwardAuth>,
    provider: &str,
) -> Result<ForwardAuthSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
