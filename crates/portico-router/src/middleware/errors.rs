//! `errors` (not wired yet).

use portico_config::model::middleware::errors::ErrorsSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &ErrorsSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("errors is not supported by this Portico version yet".to_owned())
}
