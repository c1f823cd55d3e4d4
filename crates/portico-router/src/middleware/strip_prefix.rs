//! `stripPrefix`.

use std::sync::Arc;

use portico_config::model::middleware::strip_prefix::StripPrefixSpec;
use portico_core::box_http_service;
use portico_middleware::strip_prefix::StripPrefixLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &StripPrefixSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let layer = StripPrefixLayer::new(spec.prefixes.iter().cloned()).force_slash(spec.force_slash);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
