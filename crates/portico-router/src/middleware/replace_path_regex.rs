//! `replacePathRegex`.

use std::sync::Arc;

use portico_config::model::middleware::replace_path_regex::ReplacePathRegexSpec;
use portico_core::box_http_service;
use portico_middleware::replace_path_regex::ReplacePathRegexLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer, strip_prefix_regex::compile};

pub(super) fn build(spec: &ReplacePathRegexSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let layer = ReplacePathRegexLayer::new(compile(&spec.regex)?, &spec.replacement);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
