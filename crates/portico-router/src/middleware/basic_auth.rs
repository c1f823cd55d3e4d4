//! `basicAuth` (not wired yet).

use portico_config::model::middleware::basic_auth::BasicAuthSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &BasicAuthSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("basicAuth is not supported by this Portico version yet".to_owned())
}
