//! Every case of the rule-conformance file (`tests/data/conformance/rules-public.yaml`,
//! the repository's copy of the shared conformance data).
//!
//! Cases with `layer: entrypoint` expect the entrypoint to have run before routing; the
//! harness applies what that layer does for them: `;` in the query becomes `&`
//! (`encodeQuerySemicolons: false`) and, for an untrusted client, `X-Forwarded-*` and
//! `X-Real-Ip` are dropped and recomputed. The routing path ([`routing_path`]) and the
//! canonical host are always applied, as Traefik's router does.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use common::{TestRequest, with_view};
use portico_rules::{Rule, Syntax};
use serde::Deserialize;

const DATA: &str = include_str!("../../../tests/data/conformance/rules-public.yaml");

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    rule: String,
    valid: bool,
    #[serde(default)]
    layer: Option<String>,
    #[serde(default)]
    group: String,
    #[serde(default)]
    requests: Vec<Request>,
}

#[derive(Debug, Deserialize)]
struct Request {
    method: String,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, HeaderValues>,
    #[serde(default)]
    remote: Option<String>,
    #[serde(default)]
    absolute_form: bool,
    #[serde(rename = "match")]
    matched: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum HeaderValues {
    One(String),
    Many(Vec<String>),
}

fn cases() -> Vec<Case> {
    serde_yaml::from_str(DATA).expect("conformance file parses")
}

#[test]
fn every_conformance_case() {
    let cases = cases();
    assert!(
        cases.len() >= 68,
        "expected at least 68 cases, got {}",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut requests = 0;
    for case in &cases {
        let parsed = Rule::parse(&case.rule, Syntax::V3);
        match (&parsed, case.valid) {
            (Ok(_), false) => {
                failures.push(format!("{}: {:?} should be rejected", case.id, case.rule))
            }
            (Err(e), true) => failures.push(format!("{}: {:?} rejected: {e}", case.id, case.rule)),
            _ => {}
        }
        let Ok(rule) = parsed else { continue };
        for req in &case.requests {
            requests += 1;
            let got = matches(case, req, &rule);
            if got != req.matched {
                failures.push(format!(
                    "{}: {} {} {:?} remote={:?}: got {got}, want {}",
                    case.id, req.method, req.url, req.headers, req.remote, req.matched
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(requests >= 164, "only {requests} requests checked");
}

#[test]
fn invalid_cases_have_positions_inside_the_rule() {
    for case in cases().iter().filter(|c| !c.valid) {
        let err = Rule::parse(&case.rule, Syntax::V3).unwrap_err();
        assert!(err.position <= case.rule.len(), "{}: {err}", case.id);
        assert!(
            !err.message.is_empty() && !err.message.ends_with('.'),
            "{}",
            case.id
        );
        let first = err.message.chars().next().unwrap_or('x');
        assert!(!first.is_uppercase(), "{}: {err}", case.id);
    }
}

fn matches(case: &Case, req: &Request, rule: &Rule) -> bool {
    let entrypoint = case.layer.as_deref() == Some("entrypoint");
    let mut url = req.url.clone();
    if entrypoint {
        // encodeQuerySemicolons=false: Go's AllowQuerySemicolons rewrites `;` to `&`.
        if let Some((head, query)) = url.split_once('?') {
            url = format!("{head}?{}", query.replace(';', "&"));
        }
    }
    let mut test = TestRequest::get(&url).method(&req.method);
    test.absolute = req.absolute_form;
    let remote: Option<SocketAddr> = req.remote.as_deref().and_then(|r| r.parse().ok());
    test.remote = remote.map(|a| a.ip());
    let forwarded = entrypoint && case.group == "forwarded-headers";
    for (name, values) in &req.headers {
        let lower = name.to_ascii_lowercase();
        if forwarded && (lower.starts_with("x-forwarded-") || lower == "x-real-ip") {
            continue;
        }
        match values {
            HeaderValues::One(v) => test = test.header(name, v),
            HeaderValues::Many(vs) => {
                for v in vs {
                    test = test.header(name, v);
                }
            }
        }
    }
    let mut parts = test.parts();
    if forwarded {
        let scheme = url.split("://").next().unwrap_or("http");
        let ip = test.remote.map(|ip| ip.to_string()).unwrap_or_default();
        let h = &mut parts.headers;
        h.insert("x-forwarded-proto", scheme.parse().expect("scheme"));
        h.insert("x-forwarded-for", ip.parse().expect("ip"));
        h.insert("x-real-ip", ip.parse().expect("ip"));
    }
    with_view(&parts, test.remote, |view| rule.matches(view))
}
