//! From the syntax tree to a matcher tree: name resolution, argument checks, v3 matchers.
//!
//! `!` is pushed down to the leaves with De Morgan's laws, as Traefik does, so the tree
//! holds only `All`/`Any` nodes and possibly negated leaves. v2 matchers live in
//! [`crate::v2`].

use crate::Syntax;
use crate::ast::{Arg, Call, Expr};
use crate::error::RuleError;
use crate::matcher::client_ip::IpChecker;
use crate::matcher::header::{HeaderMatch, HeaderValue};
use crate::matcher::host::{HostExpr, HostRegexp};
use crate::matcher::path::PathMatch;
use crate::matcher::query::{QueryMatch, QueryValue};
use crate::matcher::{Matcher, go_to_upper};
use crate::regex_go;

/// The matcher tree of a rule.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Leaf { matcher: Matcher, negated: bool },
}

const V3_MATCHERS: &[&str] = &[
    "ClientIP",
    "Method",
    "Host",
    "HostRegexp",
    "Path",
    "PathRegexp",
    "PathPrefix",
    "Header",
    "HeaderRegexp",
    "Query",
    "QueryRegexp",
];

pub(crate) const V2_MATCHERS: &[&str] = &[
    "Host",
    "HostHeader",
    "HostRegexp",
    "ClientIP",
    "Path",
    "PathPrefix",
    "Method",
    "Headers",
    "HeadersRegexp",
    "Query",
];

/// Compiles a parsed rule; returns the tree and the warnings.
pub(crate) fn compile(expr: &Expr, syntax: Syntax) -> Result<(Node, Vec<String>), RuleError> {
    let mut warnings = Vec::new();
    let node = build(expr, false, syntax, &mut warnings)?;
    Ok((node, warnings))
}

fn build(
    expr: &Expr,
    negate: bool,
    syntax: Syntax,
    warnings: &mut Vec<String>,
) -> Result<Node, RuleError> {
    let mut children = |list: &[Expr]| -> Result<Vec<Node>, RuleError> {
        list.iter()
            .map(|e| build(e, negate, syntax, warnings))
            .collect()
    };
    Ok(match expr {
        Expr::And(list) if negate => Node::Any(children(list)?),
        Expr::And(list) => Node::All(children(list)?),
        Expr::Or(list) if negate => Node::All(children(list)?),
        Expr::Or(list) => Node::Any(children(list)?),
        Expr::Not(inner) => build(inner, !negate, syntax, warnings)?,
        Expr::Call(call) => Node::Leaf {
            matcher: matcher(call, syntax, warnings)?,
            negated: negate,
        },
    })
}

fn matcher(call: &Call, syntax: Syntax, warnings: &mut Vec<String>) -> Result<Matcher, RuleError> {
    let table = match syntax {
        Syntax::V3 => V3_MATCHERS,
        Syntax::V2 => V2_MATCHERS,
    };
    let Some(name) = resolve(&call.name, table) else {
        return Err(RuleError::new(
            call.name_span.start,
            unknown_matcher(&call.name, syntax),
        ));
    };
    // Traefik's CheckRule runs before the arity check.
    if call.args.is_empty() {
        return Err(RuleError::new(
            call.span.end.saturating_sub(1),
            format!("missing argument for {name}: write {name}(`...`)"),
        ));
    }
    if let Some(arg) = call.args.iter().find(|a| a.value.is_empty()) {
        return Err(RuleError::new(
            arg.span.start,
            format!("empty argument for {name}"),
        ));
    }
    if let Some(span) = call.ellipsis {
        warnings.push(format!(
            "`...` after the last argument of {name} at byte {} is ignored",
            span.start
        ));
    }
    match syntax {
        Syntax::V3 => v3_matcher(name, call, warnings),
        Syntax::V2 => crate::v2::matcher(name, call, warnings),
    }
}

fn v3_matcher(
    name: &'static str,
    call: &Call,
    warnings: &mut Vec<String>,
) -> Result<Matcher, RuleError> {
    let args = &call.args;
    let arity: &[usize] = match name {
        "Header" | "HeaderRegexp" => &[2],
        "Query" | "QueryRegexp" => &[1, 2],
        _ => &[1],
    };
    if !arity.contains(&args.len()) {
        return Err(arity_error(name, call, arity));
    }
    let first = &args[0];
    let value = first.value.as_str();
    Ok(match name {
        "ClientIP" => Matcher::ClientIp(IpChecker::new([value]).map_err(|m| at(first, m))?),
        "Method" => Matcher::Method(vec![go_to_upper(value)]),
        "Host" => {
            check_ascii(name, first)?;
            host_warnings(value, warnings);
            Matcher::Host(HostExpr::new(value))
        }
        "HostRegexp" => {
            check_ascii(name, first)?;
            placeholder_warning(name, value, warnings);
            Matcher::HostRegexp(HostRegexp::new(go_regex(name, first)?))
        }
        "Path" | "PathPrefix" => {
            if !value.starts_with('/') {
                return Err(at(
                    first,
                    format!("value `{value}` of {name} must start with `/`"),
                ));
            }
            placeholder_warning(name, value, warnings);
            let path = if name == "Path" {
                PathMatch::Exact(value.to_owned())
            } else {
                PathMatch::Prefix(value.to_owned())
            };
            Matcher::Path(vec![path])
        }
        "PathRegexp" => {
            placeholder_warning(name, value, warnings);
            Matcher::Path(vec![PathMatch::Regex(go_regex(name, first)?)])
        }
        "Header" | "HeaderRegexp" => {
            let second = &args[1];
            let header_value = if name == "Header" {
                HeaderValue::Exact(second.value.clone())
            } else {
                placeholder_warning(name, &second.value, warnings);
                HeaderValue::Regex(go_regex(name, second)?)
            };
            let (m, warning) = HeaderMatch::new(value, header_value);
            warnings.extend(warning);
            Matcher::Header(vec![m])
        }
        _ => {
            // Query, QueryRegexp.
            let query_value = match args.get(1) {
                None => {
                    if let Some((k, v)) = value.split_once('=') {
                        warnings.push(format!(
                            "{name}(`{value}`) matches a parameter named `{value}`: write {name}(`{k}`, `{v}`) (the `key=value` form is v2 syntax)"
                        ));
                    }
                    QueryValue::Exact(String::new())
                }
                Some(second) if name == "Query" => QueryValue::Exact(second.value.clone()),
                Some(second) => {
                    placeholder_warning(name, &second.value, warnings);
                    QueryValue::Regex(go_regex(name, second)?)
                }
            };
            Matcher::Query(QueryMatch {
                key: value.to_owned(),
                value: query_value,
            })
        }
    })
}

/// Finds the declared name for `name` written as declared, lower, UPPER or Title case.
pub(crate) fn resolve(name: &str, table: &[&'static str]) -> Option<&'static str> {
    let is_title = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| !c.is_ascii_uppercase())
    };
    table.iter().copied().find(|canon| {
        name == *canon
            || (name.eq_ignore_ascii_case(canon)
                && (!name.bytes().any(|b| b.is_ascii_uppercase())
                    || !name.bytes().any(|b| b.is_ascii_lowercase())
                    || is_title(name)))
    })
}

fn unknown_matcher(name: &str, syntax: Syntax) -> String {
    let (own, other) = match syntax {
        Syntax::V3 => (V3_MATCHERS, V2_MATCHERS),
        Syntax::V2 => (V2_MATCHERS, V3_MATCHERS),
    };
    if let Some(canon) = own.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        return format!(
            "unknown matcher `{name}`: write `{canon}` (also accepted: {}, {}, {}{})",
            canon.to_ascii_lowercase(),
            canon.to_ascii_uppercase(),
            &canon[..1],
            canon[1..].to_ascii_lowercase(),
        );
    }
    if let Some(canon) = resolve(name, other) {
        return match (syntax, canon) {
            (Syntax::V3, "HostHeader") => {
                "`HostHeader` is v2 syntax: use Host(...) in v3, or set ruleSyntax: v2".to_owned()
            }
            (Syntax::V3, "Headers" | "HeadersRegexp") => format!(
                "`{name}` is v2 syntax: use {}(...) in v3, or set ruleSyntax: v2",
                canon.replacen("Headers", "Header", 1)
            ),
            (Syntax::V2, "Header" | "HeaderRegexp") => format!(
                "`{name}` does not exist in v2 syntax: use {}(...), or the v3 syntax",
                canon.replacen("Header", "Headers", 1)
            ),
            _ => {
                format!("`{name}` does not exist in v2 syntax: use the v3 syntax (ruleSyntax: v3)")
            }
        };
    }
    if ["HostSNI", "HostSNIRegexp", "ALPN"]
        .iter()
        .any(|tcp| tcp.eq_ignore_ascii_case(name))
    {
        return format!("`{name}` is a TCP router matcher: HTTP rules use Host(...)");
    }
    format!("unknown matcher `{name}`")
}

fn arity_error(name: &str, call: &Call, arity: &[usize]) -> RuleError {
    let n = call.args.len();
    // Too many: the first extra argument; too few: the closing parenthesis.
    let position = call
        .args
        .get(arity[arity.len() - 1])
        .map_or(call.span.end.saturating_sub(1), |a| a.span.start);
    let message = match name {
        "Host" | "HostRegexp" | "Path" | "PathPrefix" | "Method" | "ClientIP" => {
            let alternatives: Vec<String> = call
                .args
                .iter()
                .take(3)
                .map(|a| format!("{name}(`{}`)", a.value))
                .collect();
            let more = if n > 3 { " || ..." } else { "" };
            format!(
                "wrong number of arguments for {name}: it takes 1 in v3 syntax, got {n}; several values is v2 syntax: write {}{more}, or set ruleSyntax: v2",
                alternatives.join(" || ")
            )
        }
        "Header" | "HeaderRegexp" => {
            format!("wrong number of arguments for {name}: it takes 2 (name, value), got {n}")
        }
        "Query" | "QueryRegexp" => {
            format!("wrong number of arguments for {name}: it takes 1 or 2 (key[, value]), got {n}")
        }
        _ => format!("wrong number of arguments for {name}: it takes 1, got {n}"),
    };
    RuleError::new(position, message)
}

pub(crate) fn at(arg: &Arg, message: impl Into<String>) -> RuleError {
    RuleError::new(arg.span.start, message)
}

pub(crate) fn check_ascii(name: &str, arg: &Arg) -> Result<(), RuleError> {
    match arg.value.char_indices().find(|(_, c)| !c.is_ascii()) {
        None => Ok(()),
        Some((i, _)) => Err(RuleError::new(
            arg.position_of(i),
            format!(
                "invalid value `{}` for {name}: non-ASCII characters are not allowed (use punycode)",
                arg.value
            ),
        )),
    }
}

/// Compiles a Go regexp argument, pointing errors into the rule when possible.
pub(crate) fn go_regex(name: &str, arg: &Arg) -> Result<regex::Regex, RuleError> {
    regex_go::compile(&arg.value).map_err(|e| {
        RuleError::new(
            e.offset.map_or(arg.span.start, |o| arg.position_of(o)),
            format!("invalid {name} regexp `{}`: {}", arg.value, e.message),
        )
    })
}

fn host_warnings(value: &str, warnings: &mut Vec<String>) {
    if value.starts_with("**.") {
        warnings.push(format!(
            "Host(`{value}`) never matches: a wildcard covers exactly one label (`*.example.com`); use HostRegexp for deeper names"
        ));
    } else if value.starts_with('*') && value != "*" && !value.starts_with("*.") {
        warnings.push(format!(
            "Host(`{value}`) is not a wildcard: only `*` and `*.domain` are"
        ));
    }
    if value
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
    {
        warnings.push(format!(
            "Host(`{value}`) never matches: the request host is compared without its port"
        ));
    }
    placeholder_warning("Host", value, warnings);
}

/// Warns about a v2 `{name:re}` / `{name}` placeholder in a v3 value.
fn placeholder_warning(name: &str, value: &str, warnings: &mut Vec<String>) {
    let Some(placeholder) = find_placeholder(value) else {
        return;
    };
    let pattern = placeholder[1..placeholder.len() - 1]
        .split_once(':')
        .map(|(_, re)| re);
    let fix = match (name, pattern) {
        ("HostRegexp" | "PathRegexp" | "HeaderRegexp" | "QueryRegexp", Some(re)) => {
            format!("write the bare regexp `{re}`")
        }
        ("Path" | "PathPrefix", _) => "use PathRegexp(`^/...`)".to_owned(),
        ("Host", _) => "use HostRegexp(...) or a `*.` wildcard".to_owned(),
        _ => "write a v3 regexp".to_owned(),
    };
    warnings.push(format!(
        "`{placeholder}` in {name}(`{value}`) looks like a v2 placeholder, which v3 reads literally: {fix}, or set ruleSyntax: v2"
    ));
}

/// The first `{ident}` or `{ident:...}` in `value` (with balanced inner braces).
fn find_placeholder(value: &str) -> Option<&str> {
    let bytes = value.as_bytes();
    for (start, _) in value.match_indices('{') {
        let ident_len = bytes[start + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if ident_len == 0 || bytes[start + 1].is_ascii_digit() {
            continue;
        }
        let mut depth = 0usize;
        for (i, b) in bytes.iter().enumerate().skip(start) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        let after_ident = bytes[start + 1 + ident_len];
                        if i == start + 1 + ident_len || after_ident == b':' {
                            return Some(&value[start..=i]);
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{V2_MATCHERS, V3_MATCHERS, find_placeholder, resolve};

    #[test]
    fn matcher_name_spellings() {
        for ok in ["PathPrefix", "pathprefix", "PATHPREFIX", "Pathprefix"] {
            assert_eq!(resolve(ok, V3_MATCHERS), Some("PathPrefix"), "{ok}");
        }
        for bad in ["pathPrefix", "PathprefiX", "Path_Prefix", "PathPrefixx"] {
            assert_eq!(resolve(bad, V3_MATCHERS), None, "{bad}");
        }
        assert_eq!(resolve("Clientip", V3_MATCHERS), Some("ClientIP"));
        assert_eq!(resolve("clientIP", V3_MATCHERS), None);
        assert_eq!(resolve("HOSTHEADER", V2_MATCHERS), Some("HostHeader"));
        assert_eq!(resolve("HostHeader", V3_MATCHERS), None);
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            find_placeholder("{sub:[a-z]+}.example.com"),
            Some("{sub:[a-z]+}")
        );
        assert_eq!(find_placeholder("/css{path:(/.*)?}"), Some("{path:(/.*)?}"));
        assert_eq!(find_placeholder("/a/{id}"), Some("{id}"));
        assert_eq!(find_placeholder("x{1,2}"), None);
        assert_eq!(find_placeholder("a{b c}"), None);
        assert_eq!(find_placeholder("{a:{2}}"), Some("{a:{2}}"));
        assert_eq!(find_placeholder("{a"), None);
        assert_eq!(find_placeholder("{"), None);
    }
}
