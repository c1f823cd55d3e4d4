//! `compress`.

use std::sync::Arc;

use portico_config::model::middleware::compress::CompressSpec;
use portico_core::box_http_service;
use portico_middleware::compress::{CompressLayer, Encoding};
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &CompressSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let encodings = spec
        .encodings
        .iter()
        .map(|e| e.parse::<Encoding>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let default = spec
        .default_encoding
        .as_deref()
        .map(str::parse::<Encoding>)
        .transpose()
        .map_err(|e| e.to_string())?;
    let layer = CompressLayer::new()
        .encodings(encodings)
        .default_encoding(default)
        .min_size(spec.min_response_body_bytes)
        .excluded_content_types(spec.excluded_content_types.clone())
        .included_content_types(spec.included_content_types.clone());
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
