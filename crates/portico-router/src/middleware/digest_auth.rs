//! `digestAuth` (not wired yet).

use portico_config::model::middleware::digest_auth::DigestAuthSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &DigestAuthSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("digestAuth is not supported by this Portico version yet".to_owned())
}
