//! `redirectScheme` (not wired yet).

use portico_config::model::middleware::redirect_scheme::RedirectSchemeSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &RedirectSchemeSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("redirectScheme is not supported by this Portico version yet".to_owned())
}
