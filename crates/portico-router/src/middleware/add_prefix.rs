//! `addPrefix`.

use std::sync::Arc;

use portico_config::model::middleware::add_prefix::AddPrefixSpec;
use portico_core::box_http_service;
use portico_middleware::add_prefix::AddPrefixLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &AddPrefixSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let layer = AddPrefixLayer::new(&spec.prefix);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
