//! Router annotations on Ingresses and load-balancer annotations on Services.

use std::collections::BTreeMap;

use portico_config::raw::{
    Domain, Observability,
    routing::{Cookie, RouterTls, Sticky},
};
use serde_json::json;

use super::*;
use crate::ingress::annotations::{AnnotationError, RouterAnnotations, ServiceAnnotations};

const P: &str = "traefik.ingress.kubernetes.io/";

fn annotated(annotations: Value) -> Vec<Value> {
    let mut objects = vec![ingress(
        "app",
        annotations,
        json!({"rules": [rule("", json!([path("/bar", "Exact", "service1")]))]}),
    )];
    objects.extend(backend("service1"));
    objects
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (format!("{P}{k}"), (*v).to_owned()))
        .collect()
}

#[test]
fn every_router_annotation_reaches_the_router() {
    // "Ingress with annotations", plus observability and rule syntax.
    let t = run(annotated(json!({
        "ingress.kubernetes.io/foo": "bar",
        "traefik.ingress.kubernetes.io/foo": "bar",
        "traefik.ingress.kubernetes.io/router.entrypoints": "ep1,ep2",
        "traefik.ingress.kubernetes.io/router.middlewares": "md1, default-auth@kubernetescrd",
        "traefik.ingress.kubernetes.io/router.priority": "42",
        "traefik.ingress.kubernetes.io/router.rulesyntax": "v3",
        "traefik.ingress.kubernetes.io/router.tls": "true",
        "traefik.ingress.kubernetes.io/router.tls.certresolver": "foobar",
        "traefik.ingress.kubernetes.io/router.tls.domains.0.main": "domain.com",
        "traefik.ingress.kubernetes.io/router.tls.domains.0.sans": "one.domain.com,two.domain.com",
        "traefik.ingress.kubernetes.io/router.tls.domains.1.main": "example.com",
        "traefik.ingress.kubernetes.io/router.tls.domains.1.sans": "one.example.com,two.example.com",
        "traefik.ingress.kubernetes.io/router.tls.options": "foobar",
        "traefik.ingress.kubernetes.io/router.observability.accesslogs": "false",
        "traefik.ingress.kubernetes.io/router.observability.metrics": "true",
        "traefik.ingress.kubernetes.io/router.observability.tracing": "false",
        "traefik.ingress.kubernetes.io/router.observability.traceverbosity": "detailed",
    })));
    assert!(t.failed.routers.is_empty(), "{:?}", t.failed);
    let router = &routers(&t)["testing-app-bar"];
    assert_eq!(router.rule.as_deref(), Some("Path(`/bar`)"));
    assert_eq!(
        router.entry_points,
        Some(vec!["ep1".to_owned(), "ep2".to_owned()])
    );
    assert_eq!(
        router.middlewares,
        Some(vec![
            "md1".to_owned(),
            "default-auth@kubernetescrd".to_owned()
        ])
    );
    assert_eq!(router.priority, Some(42));
    assert_eq!(router.rule_syntax.as_deref(), Some("v3"));
    let domain = |main: &str, sans: [&str; 2]| Domain {
        main: Some(main.to_owned()),
        sans: Some(sans.map(str::to_owned).to_vec()),
    };
    assert_eq!(
        router.tls,
        Some(RouterTls {
            options: Some("foobar".into()),
            cert_resolver: Some("foobar".into()),
            domains: Some(vec![
                domain("domain.com", ["one.domain.com", "two.domain.com"]),
                domain("example.com", ["one.example.com", "two.example.com"]),
            ]),
        })
    );
    assert_eq!(
        router.observability,
        Some(Observability {
            access_logs: Some(false),
            metrics: Some(true),
            tracing: Some(false),
            trace_verbosity: Some("detailed".into()),
        })
    );
}

#[test]
fn no_annotation_no_tls_and_zero_priority_is_unset() {
    let t = run(annotated(
        json!({"traefik.ingress.kubernetes.io/router.priority": "0"}),
    ));
    let router = &routers(&t)["testing-app-bar"];
    assert_eq!(router.priority, None);
    assert_eq!(router.tls, None);
    assert_eq!(router.entry_points, None);
}

#[test]
fn a_bad_router_annotation_fails_only_that_ingress() {
    let mut objects = annotated(json!({"traefik.ingress.kubernetes.io/router.priority": "high"}));
    objects.push(ingress(
        "other",
        json!({}),
        json!({"rules": [rule("", json!([path("/ok", "Prefix", "service1")]))]}),
    ));
    let t = run(objects);
    assert_eq!(
        failure(&t, "testing-app-bar"),
        "ingress testing/app: annotation router.priority: \"high\" is not an integer"
    );
    assert!(!routers(&t).contains_key("testing-app-bar"));
    assert_eq!(rule_of(&t, "testing-other-ok"), "PathPrefix(`/ok`)");
}

#[test]
fn an_injected_pathmatcher_is_refused() {
    // "Ingress with invalid pathmatcher annotation".
    let t = run(annotated(json!({
        "traefik.ingress.kubernetes.io/router.pathmatcher": "Host(\"injection\") || PathPrefix"
    })));
    assert!(failure(&t, "testing-app-bar").contains("is not one of Path, PathPrefix, PathRegexp"));
    assert!(routers(&t).is_empty());
}

#[test]
fn unknown_router_settings_fail_and_other_keys_are_ignored() {
    let t = run(annotated(
        json!({"traefik.ingress.kubernetes.io/router.prioritee": "1"}),
    ));
    assert!(
        failure(&t, "testing-app-bar").contains("annotation router.prioritee: unknown setting")
    );
    let t = run(annotated(json!({
        "traefik.ingress.kubernetes.io/foo": "bar",
        "traefik.ingress.kubernetes.io/service.passhostheader": "maybe",
    })));
    assert!(t.failed.routers.is_empty());
}

#[test]
fn router_parsing_is_case_insensitive_and_accepts_go_booleans() {
    let a = RouterAnnotations::parse(Some(&map(&[
        ("Router.EntryPoints", "web ,, websecure"),
        ("router.tls", "T"),
        ("router.observability", "1"),
    ])))
    .unwrap();
    assert_eq!(
        a.entry_points,
        Some(vec!["web".to_owned(), "websecure".to_owned()])
    );
    assert_eq!(a.tls, Some(RouterTls::default()));
    assert_eq!(a.observability, Some(Observability::default()));
    let off = RouterAnnotations::parse(Some(&map(&[("router.tls", "false")]))).unwrap();
    assert_eq!(off.tls, None);
    let bad = RouterAnnotations::parse(Some(&map(&[("router.tls", "yes")])));
    assert_eq!(
        bad,
        Err(AnnotationError::NotBool {
            key: "router.tls".into(),
            value: "yes".into()
        })
    );
}

#[test]
fn every_service_annotation_reaches_the_load_balancer() {
    // "Ingress with annotations" (its Service), plus the other cookie fields.
    let mut objects = vec![ingress(
        "app",
        json!({}),
        json!({"rules": [rule("", json!([path("/bar", "Prefix", "service1")]))]}),
    )];
    objects.extend(backend_with(
        "service1",
        json!({
            "traefik.ingress.kubernetes.io/service.serversscheme": "h2c",
            "traefik.ingress.kubernetes.io/service.serverstransport": "foobar@file",
            "traefik.ingress.kubernetes.io/service.passhostheader": "false",
            "traefik.ingress.kubernetes.io/service.sticky.cookie": "true",
            "traefik.ingress.kubernetes.io/service.sticky.cookie.name": "foobar",
            "traefik.ingress.kubernetes.io/service.sticky.cookie.secure": "true",
            "traefik.ingress.kubernetes.io/service.sticky.cookie.httponly": "true",
            "traefik.ingress.kubernetes.io/service.sticky.cookie.samesite": "none",
            "traefik.ingress.kubernetes.io/service.sticky.cookie.maxage": "42",
            "traefik.ingress.kubernetes.io/service.sticky.cookie.path": "/app",
            "traefik.ingress.kubernetes.io/service.sticky.cookie.domain": "example.com",
        }),
    ));
    let t = run(objects);
    let lb = services(&t)["testing-service1-80"]
        .load_balancer
        .clone()
        .unwrap();
    assert_eq!(urls(&t, "testing-service1-80"), ["h2c://10.10.0.1:8080"]);
    assert_eq!(lb.servers_transport.as_deref(), Some("foobar@file"));
    assert_eq!(lb.pass_host_header, Some(false));
    assert_eq!(
        lb.sticky,
        Some(Sticky {
            cookie: Some(Cookie {
                name: Some("foobar".into()),
                secure: Some(true),
                http_only: Some(true),
                same_site: Some("none".into()),
                max_age: Some(42),
                path: Some("/app".into()),
                domain: Some("example.com".into()),
            }),
        })
    );
}

#[test]
fn nativelb_annotation_sends_to_the_cluster_ip() {
    // "Ingress with native service lb".
    let mut objects = annotated(json!({}));
    objects[1] = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "service1", "namespace": "testing",
            "annotations": {"traefik.ingress.kubernetes.io/service.nativelb": "true"}},
        "spec": {"clusterIP": "10.0.0.1", "ports": [{"port": 80}]}});
    assert_eq!(
        urls(&run(objects), "testing-service1-80"),
        ["http://10.0.0.1:80"]
    );
}

#[test]
fn a_bad_service_annotation_fails_only_the_routers_using_it() {
    let mut objects = vec![ingress(
        "app",
        json!({}),
        json!({"rules": [rule("", json!([
            path("/bad", "Prefix", "service1"),
            path("/good", "Prefix", "service2"),
        ]))]}),
    )];
    objects.extend(backend_with(
        "service1",
        json!({"traefik.ingress.kubernetes.io/service.sticky.cookie.maxage": "forever"}),
    ));
    objects.extend(backend("service2"));
    let t = run(objects);
    assert_eq!(
        failure(&t, "testing-app-bad"),
        "ingress testing/app: service testing/service1: annotation service.sticky.cookie.maxage: \
         \"forever\" is not an integer"
    );
    assert_eq!(rule_of(&t, "testing-app-good"), "PathPrefix(`/good`)");
    assert!(!services(&t).contains_key("testing-service1-80"));
}

#[test]
fn unsupported_service_annotations_are_refused() {
    for (key, value) in [
        ("service.nodeportlb", "true"),
        ("service.middlewares", "a@file"),
    ] {
        let mut objects = vec![ingress(
            "app",
            json!({}),
            json!({"rules": [rule("", json!([path("/bar", "Prefix", "service1")]))]}),
        )];
        let mut a = serde_json::Map::new();
        a.insert(format!("{P}{key}"), json!(value));
        objects.extend(backend_with("service1", Value::Object(a)));
        let t = run(objects);
        assert!(
            failure(&t, "testing-app-bar").contains("not supported"),
            "{key}"
        );
    }
    let plain = ServiceAnnotations::parse(Some(&map(&[("service.nodeportlb", "false")]))).unwrap();
    assert!(!plain.node_port_lb);
}
