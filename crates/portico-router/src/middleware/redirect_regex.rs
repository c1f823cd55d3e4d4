//! `redirectRegex` (not wired yet).

use portico_config::model::middleware::redirect_regex::RedirectRegexSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &RedirectRegexSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("redirectRegex is not supported by this Portico version yet".to_owned())
}
