//! `grpcWeb`.

use std::sync::Arc;

use portico_config::model::middleware::grpc_web::GrpcWebSpec;
use portico_core::box_http_service;
use portico_middleware::grpc_web::GrpcWebLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &GrpcWebSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let layer = GrpcWebLayer::new(spec.allow_origins.iter().cloned());
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
