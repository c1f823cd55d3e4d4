//! `grpcWeb` validation (not written yet).

use crate::{model::middleware::grpc_web::GrpcWebSpec, raw::routing::GrpcWeb};

pub(super) fn validate(
    path: &str,
    raw: Option<&GrpcWeb>,
    provider: &str,
) -> Result<GrpcWebSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
