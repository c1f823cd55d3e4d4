//! `buffering` (not wired yet).

use portico_config::model::middleware::buffering::BufferingSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &BufferingSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("buffering is not supported by this Portico version yet".to_owned())
}
