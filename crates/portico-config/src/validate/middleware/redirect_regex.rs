//! `redirectRegex` validation.

use super::strip_prefix_regex::regex_error;
use crate::{model::middleware::redirect_regex::RedirectRegexSpec, raw::routing::RedirectRegex};

pub(super) fn validate(
    path: &str,
    raw: Option<&RedirectRegex>,
    _provider: &str,
) -> Result<RedirectRegexSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    let regex = raw.regex.unwrap_or_default();
    if let Some(error) = regex_error(&regex) {
        return Err(vec![format!("{path}.regex: {error}")]);
    }
    Ok(RedirectRegexSpec {
        regex,
        replacement: raw.replacement.unwrap_or_default(),
        permanent: raw.permanent.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_checked_and_permanent_defaults_to_false() {
        let raw = RedirectRegex {
            regex: Some("^http://localhost/(.*)".into()),
            replacement: Some("http://mydomain/${1}".into()),
            permanent: None,
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert!(!spec.permanent);
        let raw = RedirectRegex {
            regex: Some("[".into()),
            ..raw
        };
        assert!(validate("m", Some(&raw), "file").unwrap_err()[0].starts_with("m.regex: "));
    }
}
