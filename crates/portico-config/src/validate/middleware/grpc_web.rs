//! `grpcWeb` validation.

use crate::{model::middleware::grpc_web::GrpcWebSpec, raw::routing::GrpcWeb};

pub(super) fn validate(
    _path: &str,
    raw: Option<&GrpcWeb>,
    _provider: &str,
) -> Result<GrpcWebSpec, Vec<String>> {
    Ok(GrpcWebSpec {
        allow_origins: raw
            .and_then(|r| r.allow_origins.clone())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_kept() {
        let raw = GrpcWeb {
            allow_origins: Some(vec!["*".into()]),
        };
        assert_eq!(
            validate("m", Some(&raw), "file").unwrap().allow_origins,
            ["*"]
        );
    }
}
