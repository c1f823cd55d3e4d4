//! `grpcWeb` (not wired yet).

use portico_config::model::middleware::grpc_web::GrpcWebSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &GrpcWebSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("grpcWeb is not supported by this Portico version yet".to_owned())
}
