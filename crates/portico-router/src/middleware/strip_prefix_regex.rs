//! `stripPrefixRegex` (not wired yet).

use portico_config::model::middleware::strip_prefix_regex::StripPrefixRegexSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &StripPrefixRegexSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("stripPrefixRegex is not supported by this Portico version yet".to_owned())
}
