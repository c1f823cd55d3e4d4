//! Backends, default backends and TLS certificates.

use portico_config::{model::KubernetesIngressSpec, raw::routing::RouterTls};
use serde_json::json;

use super::*;
use crate::ingress::{DEFAULT_BACKEND, DEFAULT_ROUTER};

/// An ExternalName Service `service1` to `traefik.wtf`, port 8080.
fn external() -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "service1", "namespace": "testing"},
        "spec": {"type": "ExternalName", "externalName": "traefik.wtf", "ports": [{"port": 8080}]}})
}

fn to_port(service: &str, port: u16) -> Value {
    ingress(
        "app",
        json!({}),
        json!({"rules": [rule("traefik.tchouk", json!([{"path": "/bar", "pathType": "Prefix",
            "backend": {"service": {"name": service, "port": {"number": port}}}}]))]}),
    )
}

#[test]
fn external_name_services_are_refused_unless_allowed() {
    // "Ingress with service with externalName" (refused) and "... enabled".
    let t = run([to_port("service1", 8080), external()]);
    assert_eq!(
        failure(&t, "testing-app-traefik-tchouk-bar"),
        "ingress testing/app: externalName services not allowed: testing/service1"
    );
    assert!(services(&t).is_empty());
    let spec = KubernetesIngressSpec {
        allow_external_name_services: true,
        ..KubernetesIngressSpec::default()
    };
    let t = run_with(&spec, [to_port("service1", 8080), external()]);
    assert_eq!(
        urls(&t, "testing-service1-8080"),
        ["http://traefik.wtf:8080"]
    );
    assert!(t.failed.routers.is_empty());
}

#[test]
fn unresolvable_backends_fail_their_router_only() {
    let mut objects = vec![ingress(
        "app",
        json!({}),
        json!({"rules": [rule("", json!([
            path("/missing", "Prefix", "absent"),
            {"path": "/port", "pathType": "Prefix",
                "backend": {"service": {"name": "service1", "port": {"number": 9999}}}},
            {"path": "/resource", "pathType": "Prefix",
                "backend": {"resource": {"kind": "StorageBucket", "name": "b"}}},
            path("/ok", "Prefix", "service1"),
        ]))]}),
    )];
    objects.extend(backend("service1"));
    let t = run(objects);
    assert_eq!(
        failure(&t, "testing-app-missing"),
        "ingress testing/app: kubernetes service not found: testing/absent"
    );
    assert!(failure(&t, "testing-app-port").contains("service port not found: 9999"));
    assert!(failure(&t, "testing-app-resource").contains("resource backends are not supported"));
    assert_eq!(routers(&t).keys().collect::<Vec<_>>(), ["testing-app-ok"]);
}

#[test]
fn services_without_endpoints_need_allow_empty_services() {
    // "Ingress with one service without endpoint" and "... without endpoints
    // subset" (allowEmptyServices).
    let service = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "service1", "namespace": "testing"},
        "spec": {"ports": [{"port": 80}]}});
    let t = run([to_port("service1", 80), service.clone()]);
    assert!(failure(&t, "testing-app-traefik-tchouk-bar").contains("no ready endpoints"));
    let spec = KubernetesIngressSpec {
        allow_empty_services: true,
        ..KubernetesIngressSpec::default()
    };
    let t = run_with(&spec, [to_port("service1", 80), service]);
    assert!(urls(&t, "testing-service1-80").is_empty());
    assert!(routers(&t).contains_key("testing-app-traefik-tchouk-bar"));
}

#[test]
fn https_is_inferred_from_port_443() {
    // "Ingress with a basic rule on one path with https (port == 443)".
    let objects = [
        to_port("service1", 443),
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "service1", "namespace": "testing"},
            "spec": {"ports": [{"port": 443}]}}),
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "s", "namespace": "testing",
                "labels": {"kubernetes.io/service-name": "service1"}},
            "addressType": "IPv4", "ports": [{"port": 8443}],
            "endpoints": [{"addresses": ["10.10.0.1"]}]}),
    ];
    assert_eq!(
        urls(&run(objects), "testing-service1-443"),
        ["https://10.10.0.1:8443"]
    );
}

#[test]
fn default_backend_gives_the_lowest_priority_catch_all() {
    // "Ingress with defaultbackend".
    let mut objects = vec![ingress(
        "fallback",
        json!({
            "traefik.ingress.kubernetes.io/router.entrypoints": "web",
            "traefik.ingress.kubernetes.io/router.middlewares": "auth@file",
            "traefik.ingress.kubernetes.io/router.priority": "10",
            "traefik.ingress.kubernetes.io/router.tls": "true",
        }),
        json!({"defaultBackend": {"service": {"name": "service1", "port": {"number": 80}}}}),
    )];
    objects.extend(backend("service1"));
    let t = run(objects);
    let router = &routers(&t)[DEFAULT_ROUTER];
    assert_eq!(router.rule.as_deref(), Some("PathPrefix(`/`)"));
    assert_eq!(router.rule_syntax.as_deref(), Some("v3"));
    assert_eq!(router.priority, Some(i64::from(i32::MIN)));
    assert_eq!(router.service.as_deref(), Some(DEFAULT_BACKEND));
    assert_eq!(router.entry_points, Some(vec!["web".to_owned()]));
    assert_eq!(router.middlewares, Some(vec!["auth@file".to_owned()]));
    assert_eq!(router.tls, Some(RouterTls::default()));
    assert_eq!(urls(&t, DEFAULT_BACKEND), ["http://10.10.0.1:8080"]);
}

#[test]
fn only_one_default_backend_and_only_without_rules() {
    // "Double Single Service Ingress": the second is ignored.
    let default = |name: &str, service: &str| {
        ingress(
            name,
            json!({}),
            json!({"defaultBackend": {"service": {"name": service, "port": {"number": 80}}}}),
        )
    };
    let mut objects = vec![default("a", "service1"), default("b", "service2")];
    objects.push(ingress(
        "c",
        json!({}),
        json!({"defaultBackend": {"service": {"name": "service2", "port": {"number": 80}}},
            "rules": [rule("", json!([path("/c", "Prefix", "service2")]))]}),
    ));
    objects.extend(backend("service1"));
    objects.extend(backend("service2"));
    let t = run(objects);
    assert_eq!(
        routers(&t).keys().collect::<Vec<_>>(),
        [DEFAULT_ROUTER, "testing-c-c"]
    );
    assert_eq!(services(&t).len(), 2);
    assert!(
        t.warnings
            .iter()
            .any(|w| w.starts_with("ingress testing/b: spec.defaultBackend ignored"))
    );
}

#[test]
fn failing_default_backend_fails_the_default_router() {
    let t = run([ingress(
        "fallback",
        json!({}),
        json!({"defaultBackend": {"service": {"name": "absent", "port": {"number": 80}}}}),
    )]);
    assert_eq!(
        failure(&t, DEFAULT_ROUTER),
        "ingress testing/fallback: kubernetes service not found: testing/absent"
    );
}

/// A TLS Secret `name` in `testing`.
fn secret(name: &str, cert: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": name, "namespace": "testing"},
        "stringData": {"tls.crt": cert, "tls.key": "KEY"}})
}

fn with_tls(name: &str, annotations: Value, secrets: &[&str]) -> Value {
    let tls: Vec<Value> = secrets.iter().map(|s| json!({"secretName": s})).collect();
    ingress(
        name,
        annotations,
        json!({"tls": tls, "rules": [rule("example.com", json!([path("", "Prefix", "service1")]))]}),
    )
}

#[test]
fn tls_secrets_load_certificates_and_the_annotation_enables_tls() {
    // "TLS support": the annotated Ingress's router has TLS; the other one's
    // missing Secret is only reported.
    let mut objects = vec![
        with_tls(
            "secure",
            json!({"traefik.ingress.kubernetes.io/router.tls": "true"}),
            &["b", "a"],
        ),
        with_tls("plain", json!({}), &["a", "undefined"]),
        secret("a", "CERT-A"),
        secret("b", "CERT-B"),
    ];
    objects.extend(backend("service1"));
    let t = run(objects);
    let certs = t
        .config
        .tls
        .as_ref()
        .and_then(|tls| tls.certificates.clone())
        .unwrap();
    let files: Vec<_> = certs
        .iter()
        .map(|c| c.cert_file.as_deref().unwrap())
        .collect();
    assert_eq!(files, ["CERT-A", "CERT-B"], "one per Secret, by name");
    assert_eq!(certs[0].key_file.as_deref(), Some("KEY"));
    let r = routers(&t);
    assert_eq!(
        r["testing-secure-example-com"].tls,
        Some(RouterTls::default())
    );
    assert_eq!(
        r["testing-plain-example-com"].tls, None,
        "spec.tls alone does not enable TLS"
    );
    assert_eq!(
        t.warnings,
        ["ingress testing/plain: tls: secret testing/undefined not found"]
    );
    assert!(t.failed.routers.is_empty());
}

#[test]
fn bad_annotations_skip_the_ingress_certificates() {
    let mut objects = vec![
        with_tls(
            "app",
            json!({"traefik.ingress.kubernetes.io/router.tls": "sure"}),
            &["a"],
        ),
        secret("a", "CERT-A"),
    ];
    objects.extend(backend("service1"));
    let t = run(objects);
    assert!(t.config.tls.is_none());
    assert!(failure(&t, "testing-app-example-com").contains("router.tls"));
}
