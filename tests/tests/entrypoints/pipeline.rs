//! The request-path pipeline before routing: every case of
//! `tests/data/conformance/path-normalization.yaml`.

use std::net::SocketAddr;

use portico_e2e::{
    cases, catch_all, get_seen,
    routing::{Router, Routing},
};
use portico_test_support::{proxy, upstream};

const PIPELINE_INSTALL: &str = r#"
entryPoints:
  web:
    address: "127.0.0.1:0"
  nosanitize:
    address: "127.0.0.1:0"
    http:
      sanitizePath: false
  semicolons:
    address: "127.0.0.1:0"
    http:
      encodeQuerySemicolons: true
"#;

/// Sends `target` to `addr` and returns what the backend saw (or why not).
async fn forwarded_target(addr: SocketAddr, target: &str) -> Result<String, String> {
    let (response, seen) = get_seen(addr, target).await;
    match seen {
        Some(seen) if response.status == 200 => Ok(seen.target),
        _ => Err(format!("{} {:?}", response.status, response.text())),
    }
}

fn assert_no_failures(what: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn sanitize_cases_reach_the_backend_without_dot_segments() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let mut failures = Vec::new();
    for case in cases::paths().sanitize {
        match forwarded_target(proxy.addr("web"), &case.raw).await {
            Ok(target) if target == case.path => {}
            other => failures.push(format!(
                "{:?}: expected {:?}, got {other:?}",
                case.raw, case.path
            )),
        }
    }
    assert_no_failures("sanitize", failures);
}

#[tokio::test]
async fn path_operations_forward_the_normalized_escaped_path() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let mut failures = Vec::new();
    for case in cases::paths().operations {
        match forwarded_target(proxy.addr("web"), &case.raw).await {
            Ok(target) if target == case.raw_path => {}
            other => failures.push(format!(
                "{:?}: expected {:?} forwarded (decoded {:?}), got {other:?}",
                case.raw, case.raw_path, case.path
            )),
        }
    }
    assert_no_failures("operations", failures);
}

#[tokio::test]
async fn routing_path_keeps_reserved_characters_encoded() {
    let cases = cases::paths().routing_path;
    let catch = upstream::whoami("catch-all").await;
    let mut backends = Vec::new();
    let mut routing = Routing::new()
        .router("all", Router::new("PathPrefix(`/`)", "catch"))
        .service("catch", [catch.url()]);
    for (i, case) in cases.iter().enumerate() {
        let backend = upstream::whoami(&format!("rp-{i}")).await;
        routing = routing
            .router(
                &format!("rp-{i}"),
                Router::new(
                    &format!("Path(`{}`)", case.routing_path),
                    &format!("rp-{i}"),
                )
                .priority(1000),
            )
            .service(&format!("rp-{i}"), [backend.url()]);
        backends.push(backend);
    }
    let proxy = proxy::builder()
        .routing("routing.yaml", &routing.yaml())
        .start()
        .await;
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let (response, _) = get_seen(proxy.addr("web"), &case.raw).await;
        let by = response.header("x-whoami-name");
        if by != Some(format!("rp-{i}").as_str()) {
            failures.push(format!(
                "{:?} should match Path(`{}`), answered by {by:?} ({})",
                case.raw, case.routing_path, response.status
            ));
        }
    }
    assert_no_failures("routing path", failures);
}

#[tokio::test]
async fn sanitize_path_setting_is_honoured_both_ways() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(PIPELINE_INSTALL), &backend.url()).await;
    let mut failures = Vec::new();
    for case in cases::paths().sanitize_docs {
        let ep = if case.sanitize_path {
            "web"
        } else {
            "nosanitize"
        };
        match forwarded_target(proxy.addr(ep), &case.raw).await {
            Ok(target) if target == case.path => {}
            other => failures.push(format!(
                "sanitizePath {}: {:?} expected {:?}, got {other:?}",
                case.sanitize_path, case.raw, case.path
            )),
        }
    }
    assert_no_failures("sanitizePath", failures);
}

#[tokio::test]
async fn query_semicolons_follow_encode_query_semicolons() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(PIPELINE_INSTALL), &backend.url()).await;
    let mut failures = Vec::new();
    for case in cases::paths().query_semicolons {
        let ep = if case.encode_query_semicolons {
            "semicolons"
        } else {
            "web"
        };
        let expected = format!("/?{}", case.forwarded_query);
        match forwarded_target(proxy.addr(ep), &format!("/?{}", case.query)).await {
            Ok(target) if target == expected => {}
            other => failures.push(format!(
                "encodeQuerySemicolons {}: {:?} expected {expected:?}, got {other:?}",
                case.encode_query_semicolons, case.query
            )),
        }
    }
    assert_no_failures("query semicolons", failures);
}

#[tokio::test]
async fn malformed_percent_encoding_is_rejected_with_400() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let mut failures = Vec::new();
    for case in cases::paths().malformed_percent {
        let (response, _) = get_seen(proxy.addr("web"), &case.raw).await;
        if response.status != case.status {
            failures.push(format!(
                "{:?}: expected {}, got {}",
                case.raw, case.status, response.status
            ));
        }
    }
    assert_no_failures("malformed percent", failures);
}

#[tokio::test]
async fn fragment_in_request_target_is_never_routed_or_forwarded() {
    // Traefik answers 400 to a raw request target containing `#`. Portico cannot:
    // the `http` crate drops the fragment while parsing the request target, before
    // any Portico code runs. Documented deviation (docs/architecture.md): the
    // fragment is never routed on nor forwarded. This test pins that behaviour.
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    for case in cases::paths().deny_fragment {
        let target = case
            .url
            .strip_prefix("http://example.com")
            .expect("deny_fragment urls are on example.com");
        let (response, seen) = get_seen(proxy.addr("web"), target).await;
        assert_eq!(response.status, 200, "{target:?}");
        let seen = seen.expect("backend reached").target;
        assert!(!seen.contains('#'), "{target:?} forwarded as {seen:?}");
        assert_eq!(
            seen,
            target.split('#').next().unwrap_or(target),
            "{target:?}"
        );
    }
}
