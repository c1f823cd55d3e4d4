//! Tests of the Ingress translation. Cases named after Traefik's own
//! (`pkg/provider/kubernetes/ingress/kubernetes_test.go`,
//! `TestLoadConfigurationFromIngresses`) use its fixtures' objects and
//! expectations; Traefik's fixtures name their Ingresses `""`, which a cluster
//! cannot store, so names here carry the Ingress name Traefik leaves out.

mod annotations;
mod classes;
mod rules;
mod services;
mod status;

use std::collections::BTreeMap;

use portico_config::{
    model::KubernetesIngressSpec,
    raw::routing::{Router, Service},
};
use serde_json::{Value, json};

use super::translate;
use crate::{cluster::Cluster, translation::Translation};

/// A cluster of `objects`.
fn cluster(objects: impl IntoIterator<Item = Value>) -> Cluster {
    let mut c = Cluster::default();
    for o in objects {
        assert!(c.apply_value(o).unwrap(), "object type not read");
    }
    c
}

/// An Ingress in `testing`.
fn ingress(name: &str, annotations: Value, spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": "testing", "annotations": annotations},
        "spec": spec})
}

/// A rule of one host (empty: none) and paths.
fn rule(host: &str, paths: Value) -> Value {
    if host.is_empty() {
        json!({"http": {"paths": paths}})
    } else {
        json!({"host": host, "http": {"paths": paths}})
    }
}

/// A path to `service` port number 80.
fn path(path: &str, path_type: &str, service: &str) -> Value {
    json!({"path": path, "pathType": path_type,
        "backend": {"service": {"name": service, "port": {"number": 80}}}})
}

/// Service `name` in `testing` (cluster IP `10.0.0.1`, port 80 unnamed) with
/// one ready endpoint `10.10.0.1:8080`.
fn backend(name: &str) -> [Value; 2] {
    backend_with(name, json!({}))
}

/// As [`backend`], with annotations on the Service.
fn backend_with(name: &str, annotations: Value) -> [Value; 2] {
    [
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "testing", "annotations": annotations},
            "spec": {"clusterIP": "10.0.0.1", "ports": [{"port": 80}]}}),
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": format!("{name}-abc"), "namespace": "testing",
                "labels": {"kubernetes.io/service-name": name}},
            "addressType": "IPv4", "ports": [{"name": "", "port": 8080}],
            "endpoints": [{"addresses": ["10.10.0.1"], "conditions": {"ready": true}}]}),
    ]
}

/// Translates `objects` with `spec`.
fn run_with(spec: &KubernetesIngressSpec, objects: impl IntoIterator<Item = Value>) -> Translation {
    translate(&cluster(objects), spec)
}

/// Translates `objects` with the default settings.
fn run(objects: impl IntoIterator<Item = Value>) -> Translation {
    run_with(&KubernetesIngressSpec::default(), objects)
}

fn routers(t: &Translation) -> BTreeMap<String, Router> {
    t.config
        .http
        .as_ref()
        .and_then(|h| h.routers.clone())
        .unwrap_or_default()
}

fn services(t: &Translation) -> BTreeMap<String, Service> {
    t.config
        .http
        .as_ref()
        .and_then(|h| h.services.clone())
        .unwrap_or_default()
}

/// The rule of router `name`.
fn rule_of(t: &Translation, name: &str) -> String {
    let routers = routers(t);
    let router = routers
        .get(name)
        .unwrap_or_else(|| panic!("no router {name} in {:?}", routers.keys()));
    router.rule.clone().unwrap_or_default()
}

/// The server URLs of service `name`.
fn urls(t: &Translation, name: &str) -> Vec<String> {
    let services = services(t);
    let service = services
        .get(name)
        .unwrap_or_else(|| panic!("no service {name} in {:?}", services.keys()));
    let lb = service.load_balancer.clone().unwrap_or_default();
    lb.servers
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| s.url)
        .collect()
}

/// The failure reasons of router `name`, joined.
fn failure(t: &Translation, name: &str) -> String {
    t.failed
        .routers
        .get(name)
        .unwrap_or_else(|| panic!("router {name} not failed: {:?}", t.failed.routers))
        .join("; ")
}
