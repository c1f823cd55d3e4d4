//! `redirectScheme`.

use std::sync::Arc;

use portico_config::model::middleware::redirect_scheme::RedirectSchemeSpec;
use portico_core::box_http_service;
use portico_middleware::redirect_scheme::RedirectSchemeLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &RedirectSchemeSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let mut layer = RedirectSchemeLayer::new(&spec.scheme).permanent(spec.permanent);
    if let Some(port) = &spec.port {
        layer = layer.port(port);
    }
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
