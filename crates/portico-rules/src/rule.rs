//! [`Rule`]: a parsed and compiled rule, cheap to clone.

use std::fmt;
use std::sync::Arc;

use crate::Syntax;
use crate::compile::{Node, compile};
use crate::error::RuleError;
use crate::matcher::host::HostKey;
use crate::parser::parse;
use crate::request::RequestView;

/// A parsed and compiled rule.
///
/// Cloning is cheap (an [`Arc`]); a rule is `Send + Sync`. Two rules are equal when their
/// source and syntax are.
///
/// # Example
///
/// ```
/// use portico_rules::{Rule, Syntax};
///
/// let rule = Rule::parse("Host(`Example.com`) && PathPrefix(`/api`)", Syntax::V3)?;
/// assert_eq!(rule.default_priority(), 41);
/// assert_eq!(rule.hosts(), ["example.com"]);
/// assert!(rule.warnings().is_empty());
///
/// let v2 = Rule::parse("HostRegexp(`{sub:[a-z]+}.example.com`)", Syntax::V3)?;
/// assert!(v2.warnings()[0].contains("v2 placeholder"));
/// # Ok::<(), portico_rules::RuleError>(())
/// ```
#[derive(Clone)]
pub struct Rule {
    inner: Arc<Inner>,
}

struct Inner {
    source: String,
    syntax: Syntax,
    node: Node,
    warnings: Vec<String>,
    hosts: Vec<String>,
    host_keys: Option<Vec<HostKey>>,
}

// === impl Rule ===

impl Rule {
    /// Parses and compiles a rule (regexps are compiled here).
    ///
    /// Errors carry the byte offset of the problem and a lower-case message; see
    /// [`RuleError::render`].
    pub fn parse(src: &str, syntax: Syntax) -> Result<Rule, RuleError> {
        let expr = parse(src)?;
        let (node, warnings) = compile(&expr, syntax)?;
        let mut hosts = Vec::new();
        collect_hosts(&node, &mut hosts);
        let host_keys = required_hosts(&node);
        Ok(Rule {
            inner: Arc::new(Inner {
                source: src.to_owned(),
                syntax,
                node,
                warnings,
                hosts,
                host_keys,
            }),
        })
    }

    /// The rule as written.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// The syntax the rule was parsed with.
    pub fn syntax(&self) -> Syntax {
        self.inner.syntax
    }

    /// Traefik's default priority: the rule's length in bytes, whitespace included.
    pub fn default_priority(&self) -> i64 {
        i64::try_from(self.inner.source.len()).unwrap_or(i64::MAX)
    }

    /// Whether the rule matches the request.
    pub fn matches(&self, req: &RequestView<'_>) -> bool {
        eval(&self.inner.node, req)
    }

    /// The values of the positive (not negated) `Host` matchers, lower-cased, in order,
    /// without duplicates, as Traefik's `ParseDomains` (used for TLS options and ACME
    /// domains). Wildcards are kept as written (`*.example.com`, `*`); v2 `HostHeader` is
    /// not included.
    pub fn hosts(&self) -> Vec<String> {
        self.inner.hosts.clone()
    }

    /// Hints about the rule that are not errors, e.g. a v2-style `{name:re}` placeholder
    /// in a v3 `Path`, `PathPrefix` or `HostRegexp`, or a matcher that can never match.
    pub fn warnings(&self) -> &[String] {
        &self.inner.warnings
    }

    /// The index keys one of which the request host must have for the rule to match, or
    /// `None` when the rule can match some host outside any key.
    pub(crate) fn host_keys(&self) -> Option<&[HostKey]> {
        self.inner.host_keys.as_deref()
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("source", &self.inner.source)
            .field("syntax", &self.inner.syntax)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.source)
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.inner.syntax == other.inner.syntax && self.inner.source == other.inner.source
    }
}

impl Eq for Rule {}

impl std::hash::Hash for Rule {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.source.hash(state);
        self.inner.syntax.hash(state);
    }
}

fn eval(node: &Node, req: &RequestView<'_>) -> bool {
    match node {
        Node::All(children) => children.iter().all(|n| eval(n, req)),
        Node::Any(children) => children.iter().any(|n| eval(n, req)),
        Node::Leaf { matcher, negated } => matcher.matches(req) != *negated,
    }
}

fn collect_hosts(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::All(children) | Node::Any(children) => {
            children.iter().for_each(|n| collect_hosts(n, out))
        }
        Node::Leaf {
            matcher,
            negated: false,
        } => {
            for host in matcher.host_values() {
                if !out.iter().any(|h| h == host) {
                    out.push(host.to_owned());
                }
            }
        }
        Node::Leaf { .. } => {}
    }
}

/// Host index keys the request must hit for `node` to match (see [`Rule::host_keys`]).
fn required_hosts(node: &Node) -> Option<Vec<HostKey>> {
    match node {
        Node::Leaf {
            matcher,
            negated: false,
        } => matcher.host_keys(),
        Node::Leaf { .. } => None,
        Node::Any(children) => {
            let mut keys: Vec<HostKey> = Vec::new();
            for child in children {
                for key in required_hosts(child)? {
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
            }
            Some(keys)
        }
        Node::All(children) => children
            .iter()
            .filter_map(required_hosts)
            .min_by_key(Vec::len),
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;
    use crate::Syntax;
    use crate::matcher::host::HostKey;

    fn keys(src: &str) -> Option<Vec<String>> {
        let rule = Rule::parse(src, Syntax::V3).unwrap();
        rule.host_keys().map(|keys| {
            keys.iter()
                .map(|k| match k {
                    HostKey::Exact(h) => h.to_string(),
                    HostKey::Wildcard(p) => format!("*.{p}"),
                })
                .collect()
        })
    }

    #[test]
    fn required_hosts_from_the_tree() {
        let v = |s: &[&str]| Some(s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>());
        assert_eq!(keys("Host(`a`) && Path(`/`)"), v(&["a"]));
        assert_eq!(keys("Host(`a`) || Host(`B`)"), v(&["a", "b"]));
        assert_eq!(
            keys("(Host(`a`) || Host(`b`)) && Path(`/p`)"),
            v(&["a", "b"])
        );
        assert_eq!(keys("Host(`a`) && (Host(`b`) || Host(`c`))"), v(&["a"]));
        assert_eq!(keys("Host(`*.x.com`) && Method(`GET`)"), v(&["*.x.com"]));
        assert_eq!(keys("!(!Host(`a`) || Path(`/`))"), v(&["a"]), "De Morgan");
        assert_eq!(keys("Host(`a`) || Path(`/`)"), None);
        assert_eq!(keys("!Host(`a`)"), None);
        assert_eq!(keys("HostRegexp(`a`)"), None);
        assert_eq!(keys("Host(`*`)"), None);
        assert_eq!(keys("PathPrefix(`/`)"), None);
    }

    #[test]
    fn hosts_are_positive_lower_cased_and_unique() {
        let rule = Rule::parse(
            "Host(`A.com`) || (Host(`b.com`) && !Host(`c.com`)) || Host(`a.com`) || !!Host(`*.d.com`)",
            Syntax::V3,
        )
        .unwrap();
        assert_eq!(rule.hosts(), ["a.com", "b.com", "*.d.com"]);
        let v2 = Rule::parse("Host(`x.com`, `Y.com`) || HostHeader(`z.com`)", Syntax::V2).unwrap();
        assert_eq!(v2.hosts(), ["x.com", "y.com"]);
    }

    #[test]
    fn rule_is_cheap_to_clone_send_sync_and_comparable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Rule>();
        let a = Rule::parse("Host(`a`)", Syntax::V3).unwrap();
        let b = a.clone();
        assert!(std::sync::Arc::ptr_eq(&a.inner, &b.inner));
        assert_eq!(a, Rule::parse("Host(`a`)", Syntax::V3).unwrap());
        assert_ne!(a, Rule::parse("Host(`a`)", Syntax::V2).unwrap());
        assert_eq!(a.to_string(), "Host(`a`)");
        assert_eq!(
            Rule::parse(" Host(`a`) ", Syntax::V3)
                .unwrap()
                .default_priority(),
            11
        );
    }
}
