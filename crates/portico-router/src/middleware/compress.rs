//! `compress` (not wired yet).

use portico_config::model::middleware::compress::CompressSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &CompressSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("compress is not supported by this Portico version yet".to_owned())
}
