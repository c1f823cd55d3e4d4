//! The Traefik v2 rule syntax (`ruleSyntax: v2`), from `pkg/muxer/http/matcher_v2.go`.
//!
//! Every matcher is variadic. `HostRegexp`, `Path`, `PathPrefix` and `Query` take
//! gorilla/mux templates: literal text with `{name}` or `{name:regexp}` placeholders,
//! anchored (`PathPrefix` only at the start); host templates are case-insensitive and the
//! default placeholder pattern is `[^.]+` for hosts, `[^/]+` for paths, `.*` for query
//! values. `Headers`/`HeadersRegexp` take name/value pairs that must all match.
//! `Query(`k=v`)` compares the *first* value of `k`.

use regex::Regex;

use crate::ast::Call;
use crate::compile::{at, check_ascii};
use crate::error::RuleError;
use crate::matcher::client_ip::IpChecker;
use crate::matcher::header::{HeaderMatch, HeaderValue};
use crate::matcher::path::PathMatch;
use crate::matcher::query::QueryTemplate;
use crate::matcher::{Matcher, go_to_upper};
use crate::regex_go;

/// Builds the v2 matcher `name` (already resolved, arguments non-empty).
pub(crate) fn matcher(
    name: &'static str,
    call: &Call,
    warnings: &mut Vec<String>,
) -> Result<Matcher, RuleError> {
    let args = &call.args;
    Ok(match name {
        "Host" | "HostHeader" => {
            let mut hosts = Vec::with_capacity(args.len());
            for arg in args {
                check_ascii(name, arg)?;
                hosts.push(arg.value.to_ascii_lowercase());
            }
            Matcher::HostV2 {
                hosts,
                alias: name == "HostHeader",
            }
        }
        "HostRegexp" => {
            let mut res = Vec::with_capacity(args.len());
            for arg in args {
                check_ascii(name, arg)?;
                if arg.value.contains(':') {
                    warnings.push(format!(
                        "HostRegexp(`{}`) names a port, which the request host never carries here: it never matches",
                        arg.value
                    ));
                }
                res.push(template(&arg.value, Kind::Host).map_err(|m| at(arg, m))?);
            }
            Matcher::HostTemplates(res)
        }
        "ClientIP" => Matcher::ClientIp(
            IpChecker::new(args.iter().map(|a| a.value.as_str())).map_err(|m| at(&args[0], m))?,
        ),
        "Path" | "PathPrefix" => {
            let kind = if name == "Path" {
                Kind::Path
            } else {
                Kind::Prefix
            };
            let mut paths = Vec::with_capacity(args.len());
            for arg in args {
                let value = arg.value.as_str();
                if !value.starts_with('/') {
                    return Err(at(
                        arg,
                        format!("value `{value}` of {name} must start with `/`"),
                    ));
                }
                let literal = !value.contains(['{', '}']);
                paths.push(match (literal, kind) {
                    (true, Kind::Path) => PathMatch::Exact(value.to_owned()),
                    (true, _) => PathMatch::Prefix(value.to_owned()),
                    (false, _) => PathMatch::Regex(template(value, kind).map_err(|m| at(arg, m))?),
                });
            }
            Matcher::Path(paths)
        }
        "Method" => Matcher::Method(args.iter().map(|a| go_to_upper(&a.value)).collect()),
        "Headers" | "HeadersRegexp" => {
            if args.len() % 2 == 1 {
                return Err(RuleError::new(
                    call.span.start,
                    format!(
                        "odd number of arguments for {name}: it takes name/value pairs, got {}",
                        args.len()
                    ),
                ));
            }
            // gorilla/mux keeps the pairs in a map keyed by the name as written.
            let mut pairs: Vec<(&str, &crate::ast::Arg)> = Vec::new();
            for pair in args.chunks(2) {
                let (key, value) = (pair[0].value.as_str(), &pair[1]);
                pairs.retain(|(k, _)| *k != key);
                pairs.push((key, value));
            }
            let mut conds = Vec::with_capacity(pairs.len());
            for (key, value) in pairs {
                let header_value = if name == "Headers" {
                    HeaderValue::Exact(value.value.clone())
                } else {
                    HeaderValue::Regex(crate::compile::go_regex(name, value)?)
                };
                let (m, warning) = HeaderMatch::new(key, header_value);
                warnings.extend(warning);
                conds.push(m);
            }
            Matcher::Header(conds)
        }
        _ => {
            // Query: `k=v` elements are split at the first `=` and re-paired.
            let parts: Vec<&str> = args.iter().flat_map(|a| a.value.splitn(2, '=')).collect();
            if parts.len() % 2 == 1 {
                return Err(RuleError::new(
                    call.span.start,
                    format!(
                        "wrong arguments for Query: v2 syntax takes `key=value` values, got {:?}",
                        args.iter().map(|a| a.value.as_str()).collect::<Vec<_>>()
                    ),
                ));
            }
            let mut templates = Vec::with_capacity(parts.len() / 2);
            for pair in parts.chunks(2) {
                let tpl = format!("{}={}", pair[0], pair[1]);
                let re = template(&tpl, Kind::Query).map_err(|m| at(&args[0], m))?;
                templates.push(QueryTemplate {
                    key: pair[0].to_owned(),
                    re,
                });
            }
            Matcher::QueryTemplates(templates)
        }
    })
}

/// What a template is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Host,
    Path,
    Prefix,
    Query,
}

/// gorilla/mux `newRouteRegexp` (Traefik's fork): a template to an anchored regexp.
pub(crate) fn template(tpl: &str, kind: Kind) -> Result<Regex, String> {
    let idxs = brace_indices(tpl).ok_or_else(|| format!("unbalanced braces in `{tpl}`"))?;
    let default_pattern = match kind {
        Kind::Query => ".*",
        Kind::Host => "[^.]+",
        Kind::Path | Kind::Prefix => "[^/]+",
    };
    let mut pattern = String::from(if kind == Kind::Host { "(?i)^" } else { "^" });
    let mut end = 0;
    for (i, pair) in idxs.chunks(2).enumerate() {
        let (open, close) = (pair[0], pair[1]);
        pattern.push_str(&regex_go::quote_meta(&tpl[end..open]));
        end = close;
        let inner = &tpl[open + 1..close - 1];
        let (name, patt) = inner.split_once(':').unwrap_or((inner, default_pattern));
        if name.is_empty() || patt.is_empty() {
            return Err(format!(
                "missing name or pattern in `{}`",
                &tpl[open..close]
            ));
        }
        regex_go::compile(&format!("^{patt}$"))
            .map_err(|e| format!("invalid pattern `{patt}` in `{tpl}`: {}", e.message))?;
        pattern.push_str(&format!("(?P<v{i}>{patt})"));
    }
    pattern.push_str(&regex_go::quote_meta(&tpl[end..]));
    if kind == Kind::Query && tpl.split_once('=').is_some_and(|(_, v)| v.is_empty()) {
        pattern.push_str(default_pattern);
    }
    if kind != Kind::Prefix {
        pattern.push('$');
    }
    regex_go::compile(&pattern).map_err(|e| format!("invalid template `{tpl}`: {}", e.message))
}

/// gorilla/mux `braceIndices`: `[open, close+1, ...]` of first-level braces.
fn brace_indices(s: &str) -> Option<Vec<usize>> {
    let mut level = 0i32;
    let mut start = 0;
    let mut idxs = Vec::new();
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' => {
                level += 1;
                if level == 1 {
                    start = i;
                }
            }
            b'}' => {
                level -= 1;
                if level == 0 {
                    idxs.push(start);
                    idxs.push(i + 1);
                } else if level < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (level == 0).then_some(idxs)
}

#[cfg(test)]
mod tests {
    use super::{Kind, brace_indices, template};

    #[test]
    fn templates_like_gorilla() {
        let host = template("{subdomain:[a-z]+}.traefik.com", Kind::Host).unwrap();
        assert!(host.is_match("api.traefik.com"));
        assert!(
            host.is_match("API.traefik.com"),
            "host templates ignore case"
        );
        assert!(!host.is_match("a.b.traefik.com"));
        let host = template("{sub}.example.com", Kind::Host).unwrap();
        assert!(host.is_match("x.example.com"));
        assert!(
            !host.is_match("x.y.example.com"),
            "default host pattern is one label"
        );
        let lit = template("(example.com", Kind::Host).unwrap();
        assert!(
            lit.is_match("(example.com"),
            "text outside braces is quoted"
        );
        assert!(!lit.is_match("example.com"));
        let path = template("/css{path:(/.*)?}", Kind::Path).unwrap();
        assert!(path.is_match("/css/main.css"));
        assert!(!path.is_match("/css.css"));
        let prefix = template("/css-{name:[0-9]?}", Kind::Prefix).unwrap();
        assert!(prefix.is_match("/css-333/x"));
        assert!(!prefix.is_match("/css.css"));
        let q = template("foo={v:[0-9]+}", Kind::Query).unwrap();
        assert!(q.is_match("foo=12"));
        assert!(!q.is_match("foo=1a"));
        let any = template("foo=", Kind::Query).unwrap();
        assert!(any.is_match("foo=anything"));
    }

    #[test]
    fn template_errors() {
        assert!(
            template("{a", Kind::Path)
                .unwrap_err()
                .contains("unbalanced")
        );
        assert!(
            template("a}", Kind::Path)
                .unwrap_err()
                .contains("unbalanced")
        );
        assert!(
            template("/{:x}", Kind::Path)
                .unwrap_err()
                .contains("missing name")
        );
        assert!(
            template("/{x:}", Kind::Path)
                .unwrap_err()
                .contains("missing name")
        );
        assert!(
            template("/{x:(}", Kind::Path)
                .unwrap_err()
                .contains("invalid pattern")
        );
        assert_eq!(brace_indices("a{b{c}}d{e}"), Some(vec![1, 7, 8, 11]));
    }
}
