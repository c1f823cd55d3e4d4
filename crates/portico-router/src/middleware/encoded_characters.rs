//! `encodedCharacters`.

use std::sync::Arc;

use portico_config::model::middleware::encoded_characters::EncodedCharactersSpec;
use portico_core::box_http_service;
use portico_middleware::encoded_characters::{Allowed, EncodedCharactersLayer};
use tower::Layer;

use super::{BuildContext, HttpLayer};

pub(super) fn build(
    spec: &EncodedCharactersSpec,
    _ctx: &BuildContext,
) -> Result<HttpLayer, String> {
    let layer = EncodedCharactersLayer::new(Allowed {
        slash: spec.allow_encoded_slash,
        back_slash: spec.allow_encoded_back_slash,
        null_character: spec.allow_encoded_null_character,
        semicolon: spec.allow_encoded_semicolon,
        percent: spec.allow_encoded_percent,
        question_mark: spec.allow_encoded_question_mark,
        hash: spec.allow_encoded_hash,
    });
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
