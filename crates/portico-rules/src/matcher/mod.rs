//! Compiled matchers: one leaf of a rule, evaluated against a [`RequestView`].
//!
//! Costs per evaluation: `Host`, `Path`, `PathPrefix`, `Method`, `Header`, `ClientIP` are
//! comparisons with no allocation; regexp matchers run a compiled `regex` (no allocation
//! once the regex's per-thread cache is warm); `Query`/`QueryRegexp` scan the raw query
//! and allocate only for pairs holding `%` or `+` (and for regexps on decoded values).

pub(crate) mod client_ip;
pub(crate) mod header;
pub(crate) mod host;
pub(crate) mod path;
pub(crate) mod query;

use crate::request::RequestView;

/// One compiled matcher call.
#[derive(Clone, Debug)]
pub(crate) enum Matcher {
    /// v3 `Host`.
    Host(host::HostExpr),
    /// v2 `Host` (`alias` = written `HostHeader`): any of the hosts.
    HostV2 { hosts: Vec<String>, alias: bool },
    /// v3 `HostRegexp`.
    HostRegexp(host::HostRegexp),
    /// v2 `HostRegexp`: any of the templates (anchored, case-insensitive).
    HostTemplates(Vec<regex::Regex>),
    /// `Method`: any of the upper-cased methods, compared exactly.
    Method(Vec<String>),
    /// `Path`, `PathPrefix`, `PathRegexp`: any of the conditions.
    Path(Vec<path::PathMatch>),
    /// `Header`, `HeaderRegexp` (v2 `Headers`, `HeadersRegexp`): all of the conditions.
    Header(Vec<header::HeaderMatch>),
    /// v3 `Query`, `QueryRegexp`.
    Query(query::QueryMatch),
    /// v2 `Query`: all of the templates.
    QueryTemplates(Vec<query::QueryTemplate>),
    /// `ClientIP`.
    ClientIp(client_ip::IpChecker),
}

// === impl Matcher ===

impl Matcher {
    pub(crate) fn matches(&self, req: &RequestView<'_>) -> bool {
        match self {
            Self::Host(h) => h.matches(req.host),
            Self::HostV2 { hosts, .. } => host::v2_matches(hosts, req.host),
            Self::HostRegexp(h) => h.matches(req.host),
            Self::HostTemplates(res) => res.iter().any(|re| re.is_match(req.host)),
            Self::Method(methods) => methods.iter().any(|m| m == req.method.as_str()),
            Self::Path(paths) => paths.iter().any(|p| p.matches(req.path)),
            Self::Header(conds) => conds.iter().all(|c| c.matches(req.headers)),
            Self::Query(q) => q.matches(req.query),
            Self::QueryTemplates(ts) => ts.iter().all(|t| t.matches(req.query)),
            Self::ClientIp(checker) => req.client_ip.is_some_and(|ip| checker.contains(ip)),
        }
    }

    /// The lower-cased values of a positive `Host` matcher (Traefik's `ParseDomains`).
    pub(crate) fn host_values(&self) -> Vec<&str> {
        match self {
            Self::Host(h) => vec![h.expr()],
            Self::HostV2 {
                hosts,
                alias: false,
            } => hosts.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The index keys when this matcher, positive, requires the host to be one of them.
    pub(crate) fn host_keys(&self) -> Option<Vec<host::HostKey>> {
        match self {
            Self::Host(h) => h.index_keys(),
            Self::HostV2 { hosts, .. } => {
                Some(hosts.iter().flat_map(|h| host::exact_keys(h)).collect())
            }
            _ => None,
        }
    }
}

/// Go's `strings.ToUpper` rune by rune (simple mappings only: `ß` stays `ß`).
pub(crate) fn go_to_upper(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::go_to_upper;

    #[test]
    fn upper_case_like_go() {
        assert_eq!(go_to_upper("get"), "GET");
        assert_eq!(go_to_upper("straße"), "STRAßE");
        assert_eq!(go_to_upper("é"), "É");
    }
}
