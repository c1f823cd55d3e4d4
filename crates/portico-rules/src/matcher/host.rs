//! `Host` and `HostRegexp`: matching the canonical request host.

use regex::Regex;

/// Where a rule that requires a host can be found in a route index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum HostKey {
    /// Looked up with the request host minus one trailing dot.
    Exact(Box<str>),
    /// Looked up with what follows the first dot of that key (`*.parent`).
    Wildcard(Box<str>),
}

/// A v3 ``Host(`expr`)``: exact host, `*.parent` (exactly one extra label) or bare `*`.
#[derive(Clone, Debug)]
pub(crate) struct HostExpr {
    /// Lower-cased, ASCII.
    expr: String,
}

// === impl HostExpr ===

impl HostExpr {
    /// `value` must be ASCII (checked by the caller).
    pub(crate) fn new(value: &str) -> Self {
        Self {
            expr: value.to_ascii_lowercase(),
        }
    }

    pub(crate) fn expr(&self) -> &str {
        &self.expr
    }

    /// Traefik's v3 `host` matcher (without CNAME flattening).
    pub(crate) fn matches(&self, host: &str) -> bool {
        let e = self.expr.as_str();
        if host == e || e == "*" {
            // `host == e` is the common case for canonical (lower-case) hosts.
            return true;
        }
        if host.is_empty() {
            return false;
        }
        domain_match(host, e)
            || e.strip_suffix('.').is_some_and(|e| domain_match(host, e))
            || host.strip_suffix('.').is_some_and(|h| domain_match(h, e))
    }

    /// The index keys under which every host this expression matches is found, or `None`
    /// when it cannot be indexed (bare `*` and other star forms).
    pub(crate) fn index_keys(&self) -> Option<Vec<HostKey>> {
        let e = self.expr.as_str();
        if !e.starts_with('*') {
            return Some(exact_keys(e));
        }
        match e.strip_prefix("*.") {
            Some(parent) if !parent.is_empty() && !parent.ends_with('.') => {
                Some(vec![HostKey::Wildcard(parent.into())])
            }
            _ => None,
        }
    }
}

/// Traefik's `DomainMatchHostExpression` for v3.7 (`*` prefix replaces the first label).
fn domain_match(domain: &str, expr: &str) -> bool {
    match expr.strip_prefix('*') {
        Some(rest_expr) => {
            let rest = domain.find('.').map_or("", |i| &domain[i..]);
            equal_fold(rest_expr, rest)
        }
        None => equal_fold(expr, domain),
    }
}

/// Go's `strings.EqualFold` where `ascii` is ASCII: besides ASCII case, the Kelvin sign
/// folds to `k` and the long s to `s`.
pub(crate) fn equal_fold(ascii: &str, s: &str) -> bool {
    if s.is_ascii() {
        return ascii.eq_ignore_ascii_case(s);
    }
    let mut bytes = ascii.bytes();
    for c in s.chars() {
        let Some(b) = bytes.next() else {
            return false;
        };
        let same = match c {
            '\u{212a}' => b.eq_ignore_ascii_case(&b'k'),
            '\u{17f}' => b.eq_ignore_ascii_case(&b's'),
            c if c.is_ascii() => b.eq_ignore_ascii_case(&(c as u8)),
            _ => false,
        };
        if !same {
            return false;
        }
    }
    bytes.next().is_none()
}

/// Index keys of an exact host: a request host `r` is looked up as `r` minus one trailing
/// dot, and the Host matchers tolerate one trailing dot on either side.
pub(crate) fn exact_keys(host: &str) -> Vec<HostKey> {
    let one = host.strip_suffix('.').unwrap_or(host);
    let two = one.strip_suffix('.').unwrap_or(one);
    let mut keys = vec![HostKey::Exact(host.into())];
    for k in [one, two] {
        if keys.iter().all(|x| x != &HostKey::Exact(k.into())) {
            keys.push(HostKey::Exact(k.into()));
        }
    }
    keys
}

/// Traefik's v2 `Host`/`HostHeader` matcher: exact (case-sensitive on the canonical
/// host), trailing dot tolerated on either side, no wildcard.
pub(crate) fn v2_matches(hosts: &[String], host: &str) -> bool {
    if host.is_empty() {
        return false;
    }
    hosts.iter().any(|h| {
        host == h || h.strip_suffix('.') == Some(host) || host.strip_suffix('.') == Some(h.as_str())
    })
}

/// A v3 ``HostRegexp(`re`)``.
#[derive(Clone, Debug)]
pub(crate) struct HostRegexp {
    re: Regex,
    /// Traefik also matches the CNAME-flattened host, which is `""` when flattening is
    /// off: a pattern that matches the empty string matches every request.
    matches_empty: bool,
}

// === impl HostRegexp ===

impl HostRegexp {
    pub(crate) fn new(re: Regex) -> Self {
        let matches_empty = re.is_match("");
        Self { re, matches_empty }
    }

    pub(crate) fn matches(&self, host: &str) -> bool {
        self.matches_empty || self.re.is_match(host)
    }
}

#[cfg(test)]
mod tests {
    use super::{HostExpr, HostKey, equal_fold, exact_keys, v2_matches};

    fn m(expr: &str, host: &str) -> bool {
        HostExpr::new(expr).matches(host)
    }

    #[test]
    fn exact_with_trailing_dots_on_either_side() {
        assert!(m("example.com", "example.com"));
        assert!(m("EXAMPLE.com", "example.com"));
        assert!(m("example.com", "example.com."));
        assert!(m("example.com.", "example.com"));
        assert!(m("example.com.", "example.com."));
        assert!(m("example.com.", "example.com.."));
        assert!(!m("example.com", "example.com.."));
        assert!(!m("example.com", "example.org"));
        assert!(!m("example.com", ""));
        assert!(!m("example.com:8080", "example.com"));
        assert!(m("example.com", "EXAMPLE.COM"), "EqualFold");
        assert!(m("kiwi", "\u{212a}iwi"), "Go folds the Kelvin sign to k");
    }

    #[test]
    fn wildcard_is_exactly_one_label() {
        assert!(m("*.example.com", "test.example.com"));
        assert!(m("*.example.com", "test.example.com."));
        assert!(!m("*.example.com", "a.b.example.com"));
        assert!(!m("*.example.com", "example.com"));
        assert!(!m("*.example.com", "test.otherexample.com"));
        assert!(
            m("*.example.com", ".example.com"),
            "Go: an empty first label"
        );
        assert!(m("*.example.com.", "a.example.com"));
        assert!(
            !m("**.example.com", "a.b.example.com"),
            "no double wildcard in v3.7"
        );
        assert!(!m("*foo.com", "afoo.com"));
    }

    #[test]
    fn bare_star_matches_everything() {
        assert!(m("*", "example.com"));
        assert!(m("*", ""));
        assert!(m("*", "localhost"));
        assert!(
            m("*.", "localhost"),
            "`*.` loses its dot and matches single labels"
        );
        assert!(!m("*.", "a.b"));
    }

    #[test]
    fn index_keys() {
        let exact = |s: &str| HostKey::Exact(s.into());
        assert_eq!(
            HostExpr::new("A.com").index_keys(),
            Some(vec![exact("a.com")])
        );
        assert_eq!(
            HostExpr::new("a.com..").index_keys(),
            Some(vec![exact("a.com.."), exact("a.com."), exact("a.com")])
        );
        assert_eq!(
            HostExpr::new("*.a.com").index_keys(),
            Some(vec![HostKey::Wildcard("a.com".into())])
        );
        for unindexable in ["*", "*.", "*.a.com.", "**.a.com", "*a.com"] {
            assert_eq!(
                HostExpr::new(unindexable).index_keys(),
                None,
                "{unindexable}"
            );
        }
        assert_eq!(exact_keys("x"), vec![exact("x")]);
    }

    #[test]
    fn v2_hosts_and_fold() {
        let hosts = vec!["example.com".to_owned(), "localhost.".to_owned()];
        assert!(v2_matches(&hosts, "example.com"));
        assert!(v2_matches(&hosts, "example.com."));
        assert!(v2_matches(&hosts, "localhost"));
        assert!(!v2_matches(&hosts, "EXAMPLE.com"));
        assert!(!v2_matches(&hosts, ""));
        assert!(equal_fold("ss", "\u{17f}S"));
        assert!(!equal_fold("s", "ß"));
        assert!(!equal_fold("ab", "a"));
    }
}
