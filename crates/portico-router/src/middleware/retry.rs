//! `retry` (not wired yet).

use portico_config::model::middleware::retry::RetrySpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &RetrySpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("retry is not supported by this Portico version yet".to_owned())
}
