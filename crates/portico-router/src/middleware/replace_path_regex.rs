//! `replacePathRegex` (not wired yet).

use portico_config::model::middleware::replace_path_regex::ReplacePathRegexSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &ReplacePathRegexSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("replacePathRegex is not supported by this Portico version yet".to_owned())
}
