//! `encodedCharacters` (not wired yet).

use portico_config::model::middleware::encoded_characters::EncodedCharactersSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &EncodedCharactersSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("encodedCharacters is not supported by this Portico version yet".to_owned())
}
