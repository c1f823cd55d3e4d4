//! `redirectRegex`.

use std::sync::Arc;

use portico_config::model::middleware::redirect_regex::RedirectRegexSpec;
use portico_core::box_http_service;
use portico_middleware::redirect_regex::RedirectRegexLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer, strip_prefix_regex::compile};

pub(super) fn build(spec: &RedirectRegexSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let layer =
        RedirectRegexLayer::new(compile(&spec.regex)?, &spec.replacement).permanent(spec.permanent);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
