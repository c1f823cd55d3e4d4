//! `stripPrefix` (not wired yet).

use portico_config::model::middleware::strip_prefix::StripPrefixSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &StripPrefixSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("stripPrefix is not supported by this Portico version yet".to_owned())
}
