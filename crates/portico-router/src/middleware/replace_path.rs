//! `replacePath`.

use std::sync::Arc;

use portico_config::model::middleware::replace_path::ReplacePathSpec;
use portico_core::box_http_service;
use portico_middleware::replace_path::ReplacePathLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &ReplacePathSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let layer = ReplacePathLayer::new(&spec.path);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
