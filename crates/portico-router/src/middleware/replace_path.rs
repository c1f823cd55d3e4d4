//! `replacePath` (not wired yet).

use portico_config::model::middleware::replace_path::ReplacePathSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &ReplacePathSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("replacePath is not supported by this Portico version yet".to_owned())
}
