//! Label selectors (`labelSelector`) and the `metadata.name` /
//! `metadata.namespace` part of field selectors (`fieldSelector`).

use serde_json::Value;

/// A selector that did not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid selector {selector:?}: {reason}")]
pub(super) struct SelectorError {
    selector: String,
    reason: &'static str,
}

/// A parsed selector: every requirement must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Selector {
    requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

// === impl Selector ===

impl Selector {
    /// Parses `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)` and
    /// `k notin (a,b)` terms separated by commas. An empty selector matches
    /// everything.
    pub(super) fn parse(selector: &str) -> Result<Self, SelectorError> {
        let error = |reason| SelectorError {
            selector: selector.to_owned(),
            reason,
        };
        let mut requirements = Vec::new();
        for term in split_terms(selector).ok_or_else(|| error("unbalanced parentheses"))? {
            let term = term.trim();
            if term.is_empty() {
                if selector.trim().is_empty() {
                    continue;
                }
                return Err(error("empty term"));
            }
            requirements.push(parse_term(term).ok_or_else(|| error("unsupported term"))?);
        }
        Ok(Selector { requirements })
    }

    /// Whether an object with these labels (`metadata.labels`, absent
    /// meaning none) is selected.
    pub(super) fn matches(&self, labels: Option<&Value>) -> bool {
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.requirements.iter().all(|req| match req {
            Requirement::Equals(k, v) => label(k) == Some(v),
            Requirement::NotEquals(k, v) => label(k) != Some(v),
            Requirement::Exists(k) => label(k).is_some(),
            Requirement::NotExists(k) => label(k).is_none(),
            Requirement::In(k, vs) => label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Requirement::NotIn(k, vs) => !label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
        })
    }

    /// As a field selector: whether an object with this namespace and name is
    /// selected. Requirements on other fields are ignored (they match).
    pub(super) fn matches_fields(&self, namespace: Option<&str>, name: &str) -> bool {
        let fields = serde_json::json!({
            "metadata.name": name,
            "metadata.namespace": namespace.unwrap_or(""),
        });
        self.requirements.iter().all(|req| {
            let key = match req {
                Requirement::Equals(k, _)
                | Requirement::NotEquals(k, _)
                | Requirement::Exists(k)
                | Requirement::NotExists(k)
                | Requirement::In(k, _)
                | Requirement::NotIn(k, _) => k,
            };
            if fields.get(key).is_none() {
                return true;
            }
            Selector {
                requirements: vec![req.clone()],
            }
            .matches(Some(&fields))
        })
    }
}

/// Splits at the commas that are not inside parentheses; `None` when the
/// parentheses do not balance.
fn split_terms(selector: &str) -> Option<Vec<&str>> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            ',' if depth == 0 => {
                terms.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    (depth == 0).then(|| {
        terms.push(&selector[start..]);
        terms
    })
}

fn parse_term(term: &str) -> Option<Requirement> {
    if let Some(open) = term.find('(') {
        let values = term[open..].strip_prefix('(')?.strip_suffix(')')?;
        let values: Vec<String> = values
            .split(',')
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        let mut words = term[..open].split_whitespace();
        let (key, op) = (valid_key(words.next()?)?, words.next()?);
        if words.next().is_some() {
            return None;
        }
        return match op {
            "in" => Some(Requirement::In(key, values)),
            "notin" => Some(Requirement::NotIn(key, values)),
            _ => None,
        };
    }
    if let Some(key) = term.strip_prefix('!') {
        return Some(Requirement::NotExists(valid_key(key)?));
    }
    if let Some((key, value)) = term.split_once("!=") {
        return Some(Requirement::NotEquals(valid_key(key)?, valid_value(value)?));
    }
    if let Some((key, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
        return Some(Requirement::Equals(valid_key(key)?, valid_value(value)?));
    }
    Some(Requirement::Exists(valid_key(term)?))
}

fn valid_key(key: &str) -> Option<String> {
    let key = key.trim();
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then(|| key.to_owned())
}

fn valid_value(value: &str) -> Option<String> {
    let value = value.trim();
    let ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn matches(selector: &str, labels: Value) -> bool {
        Selector::parse(selector)
            .expect("selector parses")
            .matches(Some(&labels))
    }

    #[test]
    fn equality_terms() {
        let labels = json!({"app": "web", "tier": "front"});
        assert!(matches("app=web", labels.clone()));
        assert!(matches("app==web,tier=front", labels.clone()));
        assert!(!matches("app=api", labels.clone()));
        assert!(matches("app!=api", labels.clone()));
        assert!(!matches("app!=web", labels.clone()));
        assert!(
            matches("missing!=x", labels.clone()),
            "!= holds when absent"
        );
        assert!(matches("app", labels.clone()));
        assert!(!matches("missing", labels.clone()));
        assert!(matches("!missing", labels.clone()));
        assert!(!matches("!app", labels.clone()));
        assert!(matches("", labels.clone()), "empty selects all");
        assert!(matches(" app = web , tier ", labels));
    }

    #[test]
    fn set_terms() {
        let labels = json!({"env": "prod"});
        assert!(matches("env in (prod, staging)", labels.clone()));
        assert!(!matches("env in (dev)", labels.clone()));
        assert!(matches("env notin (dev,qa)", labels.clone()));
        assert!(!matches("env notin (prod)", labels.clone()));
        assert!(matches("other notin (prod)", labels.clone()));
        assert!(!matches("other in (prod)", labels.clone()));
        assert!(matches("env in (prod),!x", labels));
    }

    #[test]
    fn no_labels_at_all() {
        let selector = Selector::parse("!app").expect("parses");
        assert!(selector.matches(None));
        assert!(!Selector::parse("app").expect("parses").matches(None));
    }

    #[test]
    fn invalid_selectors_are_errors() {
        for bad in ["app=web,", "a b", "env in (x", "env is (x)", "=x", "a=b c"] {
            assert!(Selector::parse(bad).is_err(), "{bad:?} must not parse");
        }
    }

    #[test]
    fn field_selectors_on_name_and_namespace() {
        let selector =
            Selector::parse("metadata.name=web,metadata.namespace!=kube-system").expect("parses");
        assert!(selector.matches_fields(Some("default"), "web"));
        assert!(!selector.matches_fields(Some("kube-system"), "web"));
        assert!(!selector.matches_fields(Some("default"), "api"));
        let other = Selector::parse("spec.type=ClusterIP").expect("parses");
        assert!(
            other.matches_fields(None, "x"),
            "unknown fields are ignored"
        );
    }
}
