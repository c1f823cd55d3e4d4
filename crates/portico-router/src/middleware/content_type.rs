//! `contentType`.

use std::sync::Arc;

use portico_config::model::middleware::content_type::ContentTypeSpec;
use portico_core::box_http_service;
use portico_middleware::content_type::ContentTypeLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &ContentTypeSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    if !spec.auto_detect {
        // `autoDetect: false` (deprecated): Traefik returns the next handler as is.
        return Ok(Arc::new(|inner| inner));
    }
    let layer = ContentTypeLayer::new();
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
