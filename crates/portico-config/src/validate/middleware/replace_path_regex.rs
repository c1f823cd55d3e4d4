//! `replacePathRegex` validation.

use super::strip_prefix_regex::regex_error;
use crate::{
    model::middleware::replace_path_regex::ReplacePathRegexSpec, raw::routing::ReplacePathRegex,
};

pub(super) fn validate(
    path: &str,
    raw: Option<&ReplacePathRegex>,
    _provider: &str,
) -> Result<ReplacePathRegexSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    let regex = raw.regex.unwrap_or_default().trim().to_owned();
    if let Some(error) = regex_error(&regex) {
        return Err(vec![format!("{path}.regex: {error}")]);
    }
    Ok(ReplacePathRegexSpec {
        regex,
        replacement: raw.replacement.unwrap_or_default().trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_checked() {
        let raw = ReplacePathRegex {
            regex: Some("^/api/(.*".into()),
            replacement: Some("/$1".into()),
        };
        let errors = validate("m", Some(&raw), "file").unwrap_err();
        assert!(
            errors[0].starts_with("m.regex: invalid regular expression"),
            "{errors:?}"
        );
        let raw = ReplacePathRegex {
            regex: Some(" ^/api/(.*) ".into()),
            replacement: Some(" /$1 ".into()),
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert_eq!(
            (spec.regex.as_str(), spec.replacement.as_str()),
            ("^/api/(.*)", "/$1")
        );
    }
}
