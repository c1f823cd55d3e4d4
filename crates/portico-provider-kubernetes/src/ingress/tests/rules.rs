//! Rules and router names.

use portico_config::model::KubernetesIngressSpec;
use serde_json::json;

use super::*;
use crate::ingress::rules::{hashed_key, router_key};

/// One Ingress `app` with `paths` under `host`, to `service1`.
fn one(host: &str, paths: Value) -> Vec<Value> {
    let mut objects = vec![ingress(
        "app",
        json!({}),
        json!({"rules": [rule(host, paths)]}),
    )];
    objects.extend(backend("service1"));
    objects
}

#[test]
fn traefik_router_names_leave_out_an_empty_ingress_name() {
    // "Ingress one rule with one path and one host": testing-traefik-tchouk-bar.
    assert_eq!(
        router_key("testing", "", "traefik.tchouk", "/bar"),
        "testing-traefik-tchouk-bar"
    );
    // "Ingress with a basic rule on one path": testing-bar.
    assert_eq!(router_key("testing", "", "", "/bar"), "testing-bar");
    // "Ingress with wildcard host": testing-foobar-com-bar.
    assert_eq!(
        router_key("testing", "", "*.foobar.com", "/bar"),
        "testing-foobar-com-bar"
    );
}

#[test]
fn one_host_and_path_gives_host_and_prefix_rule() {
    let t = run(one(
        "traefik.tchouk",
        json!([path("/bar", "Prefix", "service1")]),
    ));
    let name = "testing-app-traefik-tchouk-bar";
    assert_eq!(
        rule_of(&t, name),
        "Host(`traefik.tchouk`) && PathPrefix(`/bar`)"
    );
    assert_eq!(
        routers(&t)[name].service.as_deref(),
        Some("testing-service1-80")
    );
    assert_eq!(urls(&t, "testing-service1-80"), ["http://10.10.0.1:8080"]);
    assert!(t.failed.routers.is_empty());
}

#[test]
fn every_path_type() {
    let t = run(one(
        "",
        json!([
            path("/exact", "Exact", "service1"),
            path("/prefix", "Prefix", "service1"),
            path("/impl", "ImplementationSpecific", "service1"),
            path("/none", "", "service1"),
        ]),
    ));
    assert_eq!(rule_of(&t, "testing-app-exact"), "Path(`/exact`)");
    assert_eq!(rule_of(&t, "testing-app-prefix"), "PathPrefix(`/prefix`)");
    assert_eq!(rule_of(&t, "testing-app-impl"), "PathPrefix(`/impl`)");
    assert_eq!(rule_of(&t, "testing-app-none"), "PathPrefix(`/none`)");
}

#[test]
fn pathmatcher_annotation_applies_to_implementation_specific_and_empty_types() {
    // "Ingress with empty pathType": the annotation `Path` gives Path(`/bar`).
    let mut objects = vec![ingress(
        "app",
        json!({"traefik.ingress.kubernetes.io/router.pathmatcher": "PathRegexp"}),
        json!({"rules": [rule("", json!([
            path("/impl", "ImplementationSpecific", "service1"),
            path("/none", "", "service1"),
            path("/exact", "Exact", "service1"),
            path("/prefix", "Prefix", "service1"),
        ]))]}),
    )];
    objects.extend(backend("service1"));
    let t = run(objects);
    assert_eq!(rule_of(&t, "testing-app-impl"), "PathRegexp(`/impl`)");
    assert_eq!(rule_of(&t, "testing-app-none"), "PathRegexp(`/none`)");
    assert_eq!(rule_of(&t, "testing-app-exact"), "Path(`/exact`)");
    assert_eq!(rule_of(&t, "testing-app-prefix"), "PathPrefix(`/prefix`)");
}

#[test]
fn strict_prefix_matching_splits_on_path_elements() {
    let spec = KubernetesIngressSpec {
        strict_prefix_matching: true,
        ..KubernetesIngressSpec::default()
    };
    let t = run_with(
        &spec,
        one(
            "",
            json!([
                path("/foo", "Prefix", "service1"),
                path("/bar/", "Prefix", "service1"),
                path("/", "Prefix", "service1"),
                path("/impl", "ImplementationSpecific", "service1"),
                path("/exact", "Exact", "service1"),
            ]),
        ),
    );
    assert_eq!(
        rule_of(&t, "testing-app-foo"),
        "(Path(`/foo`) || PathPrefix(`/foo/`))"
    );
    assert_eq!(
        rule_of(&t, "testing-app-bar"),
        "(Path(`/bar`) || PathPrefix(`/bar/`))"
    );
    assert_eq!(rule_of(&t, "testing-app"), "PathPrefix(`/`)");
    assert_eq!(
        rule_of(&t, "testing-app-impl"),
        "(Path(`/impl`) || PathPrefix(`/impl/`))"
    );
    assert_eq!(rule_of(&t, "testing-app-exact"), "Path(`/exact`)");
}

#[test]
fn strict_prefix_matching_keeps_an_explicit_non_prefix_matcher() {
    let spec = KubernetesIngressSpec {
        strict_prefix_matching: true,
        ..KubernetesIngressSpec::default()
    };
    let mut objects = vec![ingress(
        "app",
        json!({"traefik.ingress.kubernetes.io/router.pathmatcher": "Path"}),
        json!({"rules": [rule("", json!([path("/impl", "ImplementationSpecific", "service1")]))]}),
    )];
    objects.extend(backend("service1"));
    assert_eq!(
        rule_of(&run_with(&spec, objects), "testing-app-impl"),
        "Path(`/impl`)"
    );
}

#[test]
fn wildcard_host_becomes_a_host_regexp() {
    // "Ingress with wildcard host".
    let t = run(one(
        "*.foobar.com",
        json!([path("/bar", "Prefix", "service1")]),
    ));
    assert_eq!(
        rule_of(&t, "testing-app-foobar-com-bar"),
        r"HostRegexp(`^[a-zA-Z0-9-]+\.foobar\.com$`) && PathPrefix(`/bar`)"
    );
}

#[test]
fn wildcard_host_in_v2_syntax_uses_a_template() {
    let mut objects = vec![ingress(
        "app",
        json!({"traefik.ingress.kubernetes.io/router.rulesyntax": "v2"}),
        json!({"rules": [rule("*.foobar.com", json!([path("/bar", "Prefix", "service1")]))]}),
    )];
    objects.extend(backend("service1"));
    let t = run(objects);
    let name = "testing-app-foobar-com-bar";
    assert_eq!(
        rule_of(&t, name),
        "HostRegexp(`{subdomain:[a-zA-Z0-9-]+}.foobar.com`) && PathPrefix(`/bar`)"
    );
    assert_eq!(routers(&t)[name].rule_syntax.as_deref(), Some("v2"));
}

#[test]
fn host_without_path_and_path_without_host() {
    // "Ingress with one host without path": Host(`example.com`) alone.
    let t = run(one(
        "example.com",
        json!([{"pathType": "Prefix",
            "backend": {"service": {"name": "service1", "port": {"number": 80}}}}]),
    ));
    assert_eq!(
        rule_of(&t, "testing-app-example-com"),
        "Host(`example.com`)"
    );
    let t = run(one("", json!([path("/bar", "Prefix", "service1")])));
    assert_eq!(rule_of(&t, "testing-app-bar"), "PathPrefix(`/bar`)");
}

#[test]
fn rule_without_http_gives_nothing_and_empty_rule_fails() {
    // "Ingress one rule host only": no router.
    let mut objects = vec![ingress(
        "app",
        json!({}),
        json!({"rules": [{"host": "traefik.tchouk"}]}),
    )];
    objects.extend(backend("service1"));
    let t = run(objects);
    assert!(routers(&t).is_empty() && t.failed.routers.is_empty());
    // Neither host nor path: the rule would be empty.
    let t = run(one(
        "",
        json!([{"pathType": "Prefix",
            "backend": {"service": {"name": "service1", "port": {"number": 80}}}}]),
    ));
    assert!(failure(&t, "testing-app").contains("empty rule"));
}

#[test]
fn conflicting_routers_on_host_get_traefiks_hashes() {
    // "Ingress with conflicting routers on host": testing-bar-bar-aba9a7d00e9b06a78e16
    // and testing-bar-bar-636bf36c00fedaab3d44.
    let mut objects = vec![ingress(
        "app",
        json!({}),
        json!({"rules": [
            rule("*.bar", json!([path("/bar", "Prefix", "service1")])),
            rule("bar", json!([path("/bar", "Prefix", "service1")])),
        ]}),
    )];
    objects.extend(backend("service1"));
    let t = run(objects);
    assert_eq!(
        rule_of(&t, "testing-app-bar-bar-aba9a7d00e9b06a78e16"),
        r"HostRegexp(`^[a-zA-Z0-9-]+\.bar$`) && PathPrefix(`/bar`)"
    );
    assert_eq!(
        rule_of(&t, "testing-app-bar-bar-636bf36c00fedaab3d44"),
        "Host(`bar`) && PathPrefix(`/bar`)"
    );
    assert_eq!(routers(&t).len(), 2);
}

#[test]
fn conflicting_routers_on_path_get_traefiks_hashes() {
    // "Ingress with conflicting routers on path".
    let t = run(one(
        "",
        json!([
            path("/foo/bar", "Prefix", "service1"),
            path("/foo-bar", "Prefix", "service1")
        ]),
    ));
    assert_eq!(
        rule_of(&t, "testing-app-foo-bar-d0b30949e54d6a7515ca"),
        "PathPrefix(`/foo/bar`)"
    );
    assert_eq!(
        rule_of(&t, "testing-app-foo-bar-dcd54bae39a6d7557f48"),
        "PathPrefix(`/foo-bar`)"
    );
    assert_eq!(
        hashed_key("k", "PathPrefix(`/foo-bar`)"),
        "k-dcd54bae39a6d7557f48"
    );
}

#[test]
fn services_are_named_by_namespace_name_and_port() {
    // "Ingress with port name in backend and no pod replica": testing-service1-tchouk.
    let mut objects = vec![ingress(
        "app",
        json!({}),
        json!({"rules": [rule("traefik.tchouk", json!([
            {"path": "/bar", "pathType": "Prefix",
                "backend": {"service": {"name": "service1", "port": {"name": "tchouk"}}}},
        ]))]}),
    )];
    objects.push(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "service1", "namespace": "testing"},
        "spec": {"ports": [{"name": "tchouk", "port": 80}]}}));
    objects.push(
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "s1", "namespace": "testing",
            "labels": {"kubernetes.io/service-name": "service1"}},
        "addressType": "IPv4", "ports": [{"name": "tchouk", "port": 8089}],
        "endpoints": [{"addresses": ["10.10.0.1", "10.21.0.1"]}]}),
    );
    let t = run(objects);
    let router = &routers(&t)["testing-app-traefik-tchouk-bar"];
    assert_eq!(router.service.as_deref(), Some("testing-service1-tchouk"));
    assert_eq!(
        urls(&t, "testing-service1-tchouk"),
        ["http://10.10.0.1:8089", "http://10.21.0.1:8089"]
    );
}
