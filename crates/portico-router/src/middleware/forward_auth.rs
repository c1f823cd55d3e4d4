//! `forwardAuth` (not wired yet).

use portico_config::model::middleware::forward_auth::ForwardAuthSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &ForwardAuthSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("forwardAuth is not supported by this Portico version yet".to_owned())
}
