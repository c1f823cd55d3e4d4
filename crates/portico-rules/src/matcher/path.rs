//! `Path`, `PathPrefix` and `PathRegexp` on the routing path.

use regex::Regex;

/// One path condition.
#[derive(Clone, Debug)]
pub(crate) enum PathMatch {
    /// `Path`: the routing path equals the value.
    Exact(String),
    /// `PathPrefix`: the routing path starts with the value (a plain string prefix:
    /// `/products` matches `/products-for-sale`).
    Prefix(String),
    /// `PathRegexp`, or a v2 template: the regexp matches (unanchored unless anchored).
    Regex(Regex),
}

// === impl PathMatch ===

impl PathMatch {
    pub(crate) fn matches(&self, path: &str) -> bool {
        match self {
            Self::Exact(p) => path == p,
            Self::Prefix(p) => path.starts_with(p.as_str()),
            Self::Regex(re) => re.is_match(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PathMatch;

    #[test]
    fn exact_prefix_and_regex() {
        let exact = PathMatch::Exact("/css".into());
        assert!(exact.matches("/css"));
        assert!(!exact.matches("/css/"));
        let prefix = PathMatch::Prefix("/products".into());
        assert!(prefix.matches("/products-for-sale"));
        assert!(!prefix.matches("/product"));
        let re = PathMatch::Regex(regex::Regex::new("^/(css|js)").unwrap());
        assert!(re.matches("/js/x"));
        assert!(!re.matches("/CSS"));
    }
}
