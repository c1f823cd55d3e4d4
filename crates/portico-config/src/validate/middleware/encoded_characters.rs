//! `encodedCharacters` validation (not written yet).

use crate::{model::middleware::encoded_characters::EncodedCharactersSpec, raw::EncodedCharacters};

pub(super) fn validate(
    path: &str,
    raw: Option<&EncodedCharacters>,
    provider: &str,
) -> Result<EncodedCharactersSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
