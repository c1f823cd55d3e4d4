//! `errors`: the error pages come from a service of the same configuration.

use std::sync::Arc;

use http::{HeaderName, StatusCode};
use portico_config::model::middleware::errors::ErrorsSpec;
use portico_core::box_http_service;
use portico_middleware::errors::ErrorPagesLayer;
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &ErrorsSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let service = ctx.services.get(&spec.service).cloned().ok_or_else(|| {
        format!(
            "error page service {:?} does not exist or is invalid",
            spec.service.as_str()
        )
    })?;
    let rewrites = spec
        .status_rewrites
        .iter()
        .map(|(from, to)| {
            StatusCode::from_u16(*to)
                .map(|to| (from.ranges().to_vec(), to))
                .map_err(|_| format!("invalid status code {to}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let headers = spec
        .error_request_headers
        .as_ref()
        .map(|names| {
            names
                .iter()
                .map(|n| {
                    n.parse::<HeaderName>()
                        .map_err(|_| format!("invalid header name {n:?}"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let mut layer = ErrorPagesLayer::new(spec.status.ranges().to_vec(), service)
        .status_rewrites(rewrites)
        .request_headers(headers);
    if let Some(query) = &spec.query {
        layer = layer.query(query.clone());
    }
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
