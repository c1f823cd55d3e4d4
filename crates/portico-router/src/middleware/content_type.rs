//! `contentType` (not wired yet).

use portico_config::model::middleware::content_type::ContentTypeSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &ContentTypeSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("contentType is not supported by this Portico version yet".to_owned())
}
