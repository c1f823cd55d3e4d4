//! `headers` (not wired yet).

use portico_config::model::middleware::headers::HeadersSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &HeadersSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("headers is not supported by this Portico version yet".to_owned())
}
