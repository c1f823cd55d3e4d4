//! The real Traefik Kubernetes manifests of the conformance corpus
//! (`tests/data/conformance/traefik-configs/kubernetes`), read as manifests and
//! translated, then validated as the proxy validates them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use portico_config::{
    model::{KubernetesCrdSpec, QualifiedName},
    validate,
};
use portico_provider_kubernetes::{
    cluster::Cluster, crd, manifests, names::route_key, translation::Translation,
};
use serde_json::json;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/conformance/traefik-configs/kubernetes")
}

fn read(file: &str) -> (Cluster, Vec<String>) {
    let read = manifests::load(&[corpus().join(file)]).unwrap_or_else(|e| panic!("{e}"));
    (read.cluster, read.warnings)
}

/// Adds endpoints for Service `name` in `ns` (the corpus has Services, not pods).
fn with_endpoints(cluster: &mut Cluster, ns: &str, name: &str) {
    cluster
        .apply_value(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"ports": [{"name": "http", "port": 80}]}}))
        .unwrap();
    cluster
        .apply_value(json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": format!("{name}-1"), "namespace": ns, "labels": {"kubernetes.io/service-name": name}},
            "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
            "endpoints": [{"addresses": ["10.0.0.1"]}]}))
        .unwrap();
}

fn validated(t: &Translation) -> portico_config::model::RoutingModel {
    let mut model = validate::routing(crd::PROVIDER, &t.config, &Default::default());
    validate::service_graph(&mut model);
    model
}

#[test]
fn every_corpus_manifest_loads_and_translates() {
    let mut files: Vec<_> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 9, "{files:?}");
    for file in files {
        let (mut cluster, _) = read(&file);
        assert!(!cluster.is_empty(), "{file}: nothing read");
        with_endpoints(&mut cluster, "default", "whoami");
        let t = crd::translate(&cluster, &KubernetesCrdSpec::default());
        let model = validated(&t);
        let routers = t
            .config
            .http
            .as_ref()
            .and_then(|h| h.routers.as_ref())
            .map_or(0, |r| r.len());
        assert!(
            routers + t.failed.routers.len() > 0 || file.starts_with("tlsoption"),
            "{file}: no router produced"
        );
        // Every router that translated validates or says why not.
        for (name, router) in &model.routers {
            if let Err(errors) = router {
                assert!(
                    !errors.is_empty(),
                    "{file}: {name} disabled without a reason"
                );
            }
        }
    }
}

#[test]
fn the_seed_style_route_of_the_corpus_is_served_by_a_valid_router() {
    let (mut cluster, _) = read("middleware-chain-stripprefix-ingressroute.yml");
    with_endpoints(&mut cluster, "default", "whoami");
    let t = crd::translate(&cluster, &KubernetesCrdSpec::default());
    let model = validated(&t);
    let enabled: Vec<_> = model
        .routers
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(n, _)| n.as_str().to_owned())
        .collect();
    assert!(!enabled.is_empty(), "{:?}", model.routers);
    assert!(
        model.middlewares.values().all(Result::is_ok),
        "{:?}",
        model.middlewares
    );
}

/// `integration/testdata/rawdata-crd.json` with `allowCrossNamespace: false`:
/// every route referencing another namespace is dropped; `/c` stays but is
/// disabled because TraefikService `wrr3` points across namespaces.
#[test]
fn cross_namespace_corpus_matches_traefiks_expectations() {
    let (mut cluster, _) = read("ingressroute-cross-namespace-with-core-objects.yml");
    with_endpoints(&mut cluster, "default", "whoami");
    with_endpoints(&mut cluster, "other-ns", "whoami");
    let t = crd::translate(&cluster, &KubernetesCrdSpec::default());
    let key = |path: &str| {
        route_key(
            "other-ns",
            "test6.route",
            &format!("Host(`foo.com`) && PathPrefix(`{path}`)"),
        )
    };
    for dropped in ["/a", "/b", "/d"] {
        assert!(
            t.failed.routers.contains_key(&key(dropped)),
            "{dropped}: {:?}",
            t.failed.routers
        );
    }
    assert!(
        t.failed.services.contains_key("other-ns-wrr3"),
        "{:?}",
        t.failed.services
    );
    // The router stays, naming the disabled TraefikService: the compiler disables
    // it with the service's reason.
    let model = validated(&t);
    let c = model.routers[&QualifiedName::new(&key("/c"), crd::PROVIDER)]
        .as_ref()
        .unwrap();
    assert_eq!(c.service.as_str(), "other-ns-wrr3@kubernetescrd");
    assert!(
        t.failed.services["other-ns-wrr3"][0]
            .contains("service default/whoami not in the parent resource namespace other-ns"),
        "{:?}",
        t.failed.services
    );

    let allowed = crd::translate(
        &cluster,
        &KubernetesCrdSpec {
            allow_cross_namespace: true,
            ..Default::default()
        },
    );
    for path in ["/a", "/b", "/c", "/d"] {
        assert!(
            !allowed.failed.routers.contains_key(&key(path)),
            "{path}: {:?}",
            allowed.failed.routers
        );
    }
}

#[test]
fn the_legacy_group_is_read_with_a_warning_and_shadowed_by_traefik_io() {
    let (mut cluster, warnings) = read("legacy-v2-traefik-containous-ingressroute.yml");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("traefik.containo.us/v1alpha1")),
        "{warnings:?}"
    );
    with_endpoints(&mut cluster, "default", "whoami");
    let t = crd::translate(&cluster, &KubernetesCrdSpec::default());
    let routers = t.config.http.as_ref().unwrap().routers.as_ref().unwrap();
    assert!(routers.contains_key(&route_key(
        "default",
        "test.route.containous",
        "Host(`bar.com`) && PathPrefix(`/foo`)"
    )));
    // Now a traefik.io object of the same name: the legacy one is ignored, with a warning.
    cluster
        .apply_value(json!({"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
            "metadata": {"name": "test.route", "namespace": "default"},
            "spec": {"routes": [{"match": "Host(`modern`)", "services": [{"name": "whoami", "port": 80}]}]}}))
        .unwrap();
    let t = crd::translate(&cluster, &KubernetesCrdSpec::default());
    let routers = t.config.http.as_ref().unwrap().routers.as_ref().unwrap();
    assert!(routers.contains_key(&route_key("default", "test.route", "Host(`modern`)")));
    assert!(!routers.contains_key(&route_key("default", "test.route", "Host(`collision`)")));
    assert!(
        t.warnings
            .iter()
            .any(|w| w.contains("IngressRoute default/test.route of traefik.containo.us")),
        "{:?}",
        t.warnings
    );
}
