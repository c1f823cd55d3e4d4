//! `stripPrefixRegex`.

use std::sync::Arc;

use portico_config::model::middleware::strip_prefix_regex::StripPrefixRegexSpec;
use portico_core::box_http_service;
use portico_middleware::strip_prefix_regex::StripPrefixRegexLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

/// Compiles `pattern`, naming it in the error.
pub(super) fn compile(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(pattern).map_err(|_| format!("invalid regular expression {pattern:?}"))
}

pub(super) fn build(spec: &StripPrefixRegexSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let expressions = spec
        .regex
        .iter()
        .map(|p| compile(p))
        .collect::<Result<Vec<_>, _>>()?;
    let layer = StripPrefixRegexLayer::new(expressions);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
