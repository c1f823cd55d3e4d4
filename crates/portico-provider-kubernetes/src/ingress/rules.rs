//! Ingress hosts and paths into router rules and names, as Traefik writes them
//! (`ingress/kubernetes.go buildHostRule, loadRouter, makeRouterKeyWithHash`).

use sha2::{Digest, Sha256};

use crate::names;

/// The matcher Traefik uses for `Prefix` and `ImplementationSpecific` paths.
const DEFAULT_PATH_MATCHER: &str = "PathPrefix";

/// How one path of an Ingress rule is matched.
#[derive(Debug, Clone, Copy)]
pub(super) struct PathMatch<'a> {
    /// `spec.rules[].http.paths[].path` (empty: any path).
    pub(super) path: &'a str,
    /// `pathType`: `Exact`, `Prefix`, `ImplementationSpecific` or empty.
    pub(super) path_type: &'a str,
    /// The `router.pathmatcher` annotation, for `ImplementationSpecific` and
    /// empty path types.
    pub(super) matcher: Option<&'a str>,
    /// `strictPrefixMatching`.
    pub(super) strict: bool,
}

/// The rule of one Ingress path: the host matcher and the path matcher joined
/// with `&&`; empty when the path has neither.
pub(super) fn rule(host: &str, path: &PathMatch<'_>, v2_syntax: bool) -> String {
    let mut parts = Vec::with_capacity(2);
    if !host.is_empty() {
        parts.push(host_rule(host, v2_syntax));
    }
    if !path.path.is_empty() {
        parts.push(path_rule(path));
    }
    parts.join(" && ")
}

/// `Host(`h`)`, or for a wildcard host `*.example.com` a `HostRegexp` that
/// accepts one label in its place: ``HostRegexp(`^[a-zA-Z0-9-]+\.example\.com$`)``
/// (v3 syntax), ``HostRegexp(`{subdomain:[a-zA-Z0-9-]+}.example.com`)`` (v2).
pub(super) fn host_rule(host: &str, v2_syntax: bool) -> String {
    match host.strip_prefix("*.") {
        Some(rest) if v2_syntax => format!("HostRegexp(`{{subdomain:[a-zA-Z0-9-]+}}.{rest}`)"),
        Some(rest) => format!("HostRegexp(`^[a-zA-Z0-9-]+\\.{}$`)", quote_meta(rest)),
        None => format!("Host(`{host}`)"),
    }
}

/// The path matcher: `Path` for `Exact`, the annotation's matcher or
/// `PathPrefix` otherwise; with strict prefix matching, `PathPrefix` becomes
/// ``(Path(`/p`) || PathPrefix(`/p/`))`` so `/p` does not match `/pq`.
pub(super) fn path_rule(p: &PathMatch<'_>) -> String {
    let matcher = match p.path_type {
        "Exact" => "Path",
        "" | "ImplementationSpecific" => p.matcher.unwrap_or(DEFAULT_PATH_MATCHER),
        _ => DEFAULT_PATH_MATCHER,
    };
    if matcher == DEFAULT_PATH_MATCHER && p.strict {
        return strict_prefix_rule(p.path);
    }
    format!("{matcher}(`{}`)", p.path)
}

/// Element-wise prefix matching (`buildStrictPrefixMatchingRule`).
fn strict_prefix_rule(path: &str) -> String {
    if path == "/" {
        return "PathPrefix(`/`)".to_owned();
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    format!("(Path(`{path}`) || PathPrefix(`{path}/`))")
}

/// The router name of one Ingress path:
/// `normalize(<namespace>-<ingress>-<host><path>)`.
pub(super) fn router_key(namespace: &str, ingress: &str, host: &str, path: &str) -> String {
    names::normalize(&format!("{namespace}-{ingress}-{host}{path}"))
}

/// The name of one of several routers of an Ingress with the same key: the key,
/// `-`, and the first 10 bytes of the rule's SHA-256 in hex.
pub(super) fn hashed_key(key: &str, rule: &str) -> String {
    let digest = Sha256::digest(rule.as_bytes());
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!("{key}-{hex}")
}

/// Go's `regexp.QuoteMeta`: escapes `\.+*?()|[]{}^$`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
