//! `encodedCharacters` validation.

use crate::{model::middleware::encoded_characters::EncodedCharactersSpec, raw::EncodedCharacters};

pub(super) fn validate(
    _path: &str,
    raw: Option<&EncodedCharacters>,
    _provider: &str,
) -> Result<EncodedCharactersSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    Ok(EncodedCharactersSpec {
        allow_encoded_slash: raw.allow_encoded_slash.unwrap_or(false),
        allow_encoded_back_slash: raw.allow_encoded_back_slash.unwrap_or(false),
        allow_encoded_null_character: raw.allow_encoded_null_character.unwrap_or(false),
        allow_encoded_semicolon: raw.allow_encoded_semicolon.unwrap_or(false),
        allow_encoded_percent: raw.allow_encoded_percent.unwrap_or(false),
        allow_encoded_question_mark: raw.allow_encoded_question_mark.unwrap_or(false),
        allow_encoded_hash: raw.allow_encoded_hash.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_denied_by_default() {
        let spec = validate("m", Some(&EncodedCharacters::default()), "file").unwrap();
        assert_eq!(spec, EncodedCharactersSpec::default());
        let raw = EncodedCharacters {
            allow_encoded_slash: Some(true),
            ..EncodedCharacters::default()
        };
        assert!(
            validate("m", Some(&raw), "file")
                .unwrap()
                .allow_encoded_slash
        );
    }
}
