//! `stripPrefixRegex` validation.

use crate::{
    model::middleware::strip_prefix_regex::StripPrefixRegexSpec, raw::routing::StripPrefixRegex,
};

/// Why `pattern` does not compile, on one line.
pub(super) fn regex_error(pattern: &str) -> Option<String> {
    regex::Regex::new(pattern).err().map(|e| {
        let text = e.to_string();
        let reason = text
            .lines()
            .rev()
            .find(|l| l.starts_with("error:"))
            .map(|l| l.trim_start_matches("error:").trim().to_owned())
            .unwrap_or(text);
        format!("invalid regular expression {pattern:?}: {reason}")
    })
}

pub(super) fn validate(
    path: &str,
    raw: Option<&StripPrefixRegex>,
    _provider: &str,
) -> Result<StripPrefixRegexSpec, Vec<String>> {
    let patterns: Vec<String> = raw
        .and_then(|r| r.regex.clone())
        .unwrap_or_default()
        .iter()
        .map(|p| p.trim().to_owned())
        .collect();
    let errors: Vec<String> = patterns
        .iter()
        .enumerate()
        .filter_map(|(i, p)| regex_error(p).map(|e| format!("{path}.regex[{i}]: {e}")))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(StripPrefixRegexSpec { regex: patterns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_trimmed_and_checked() {
        let raw = StripPrefixRegex {
            regex: Some(vec![" /a/[0-9]+ ".into(), "/b/(".into()]),
        };
        let errors = validate("m", Some(&raw), "file").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("m.regex[1]: invalid regular expression \"/b/(\": "),
            "{errors:?}"
        );
        let raw = StripPrefixRegex {
            regex: Some(vec![" /a/[0-9]+ ".into()]),
        };
        assert_eq!(
            validate("m", Some(&raw), "file").unwrap().regex,
            ["/a/[0-9]+"]
        );
    }
}
