//! `addPrefix` (not wired yet).

use portico_config::model::middleware::add_prefix::AddPrefixSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &AddPrefixSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("addPrefix is not supported by this Portico version yet".to_owned())
}
