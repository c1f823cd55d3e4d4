//! Kubernetes label selectors (`labelSelector`), for objects read from
//! manifests: what the API server applies when it lists.

use std::collections::BTreeMap;

/// A parsed label selector: every requirement must hold.
///
/// # Example
///
/// ```
/// use std::collections::BTreeMap;
/// use portico_provider_kubernetes::selector::LabelSelector;
///
/// let selector: LabelSelector = "app=web,tier in (front, edge),!canary".parse().unwrap();
/// let labels = BTreeMap::from([("app".to_owned(), "web".to_owned()), ("tier".to_owned(), "edge".to_owned())]);
/// assert!(selector.matches(&labels));
/// assert!("app!=web".parse::<LabelSelector>().unwrap().matches(&BTreeMap::new()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A selector that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("label selector {selector:?}: {reason}")]
pub struct SelectorError {
    selector: String,
    reason: String,
}

impl std::str::FromStr for LabelSelector {
    type Err = SelectorError;

    fn from_str(text: &str) -> Result<LabelSelector, SelectorError> {
        let error = |reason: &str| SelectorError {
            selector: text.to_owned(),
            reason: reason.to_owned(),
        };
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let word = |s: &str| -> Result<String, SelectorError> {
                let s = s.trim();
                let valid = !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
                valid
                    .then(|| s.to_owned())
                    .ok_or_else(|| error(&format!("{s:?} is not a label key or value")))
            };
            let set = |s: &str| -> Result<Vec<String>, SelectorError> {
                let inner = s
                    .trim()
                    .strip_prefix('(')
                    .and_then(|s| s.strip_suffix(')'))
                    .ok_or_else(|| error("a set must be written (a, b)"))?;
                inner.split(',').map(word).collect()
            };
            let requirement = if let Some(key) = part.strip_prefix('!') {
                Requirement::NotExists(word(key)?)
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(word(k)?, word(v)?)
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Equals(word(k)?, word(v)?)
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Equals(word(k)?, word(v)?)
            } else if let Some((k, v)) = part.split_once(" notin ") {
                Requirement::NotIn(word(k)?, set(v)?)
            } else if let Some((k, v)) = part.split_once(" in ") {
                Requirement::In(word(k)?, set(v)?)
            } else {
                Requirement::Exists(word(part)?)
            };
            requirements.push(requirement);
        }
        Ok(LabelSelector { requirements })
    }
}

impl LabelSelector {
    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::NotExists(k) => !labels.contains_key(k),
        })
    }
}

/// Splits on commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_operator() {
        let l = labels(&[("app", "web"), ("env", "prod")]);
        for (selector, expected) in [
            ("app=web", true),
            ("app==web", true),
            ("app=api", false),
            ("app!=api", true),
            ("env in (prod, staging)", true),
            ("env notin (prod)", false),
            ("missing notin (x)", true),
            ("app", true),
            ("!app", false),
            ("!missing", true),
            ("app=web,env=dev", false),
            ("", true),
        ] {
            let parsed: LabelSelector = selector.parse().unwrap();
            assert_eq!(parsed.matches(&l), expected, "{selector}");
        }
    }

    #[test]
    fn bad_selectors_are_refused() {
        for bad in ["app=(x", "a b", "env in prod", "=x"] {
            assert!(bad.parse::<LabelSelector>().is_err(), "{bad}");
        }
    }
}
