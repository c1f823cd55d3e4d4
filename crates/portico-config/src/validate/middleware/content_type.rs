//! `contentType` validation.

use crate::{model::middleware::content_type::ContentTypeSpec, raw::routing::ContentType};

pub(super) fn validate(
    _path: &str,
    raw: Option<&ContentType>,
    _provider: &str,
) -> Result<ContentTypeSpec, Vec<String>> {
    Ok(ContentTypeSpec {
        auto_detect: raw.and_then(|r| r.auto_detect).unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_detect_defaults_to_true() {
        assert!(
            validate("m", Some(&ContentType::default()), "file")
                .unwrap()
                .auto_detect
        );
        let off = ContentType {
            auto_detect: Some(false),
        };
        assert!(!validate("m", Some(&off), "file").unwrap().auto_detect);
    }
}
