//! `contentType` validation (not written yet).

use crate::{model::middleware::content_type::ContentTypeSpec, raw::routing::ContentType};

pub(super) fn validate(
    path: &str,
    raw: Option<&ContentType>,
    provider: &str,
) -> Result<ContentTypeSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
