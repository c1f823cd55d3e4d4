use serde_json::json;

use super::*;

fn route(group: &str, ns: &str, name: &str, rule: &str) -> Value {
    json!({
        "apiVersion": group, "kind": "IngressRoute",
        "metadata": {"name": name, "namespace": ns, "resourceVersion": "7"},
        "spec": {"routes": [{"match": rule}]}
    })
}

#[test]
fn objects_are_keyed_by_namespace_and_name_with_default_namespace() {
    let mut cluster = Cluster::default();
    let mut svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}});
    assert!(cluster.apply_value(svc.clone()).unwrap());
    svc["metadata"]["namespace"] = json!("other");
    cluster.apply_value(svc).unwrap();
    let keys: Vec<String> = cluster.keys().map(|(_, k)| k.to_string()).collect();
    assert_eq!(keys, ["default/a", "other/a"]);
}

#[test]
fn unknown_types_are_not_stored_and_nameless_objects_are_refused() {
    let mut cluster = Cluster::default();
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}});
    assert!(!cluster.apply_value(ns).unwrap());
    let nameless = json!({"apiVersion": "v1", "kind": "Service", "metadata": {}});
    assert!(cluster.apply_value(nameless).is_err());
    assert!(cluster.is_empty());
}

#[test]
fn traefik_io_shadows_the_legacy_group() {
    let mut cluster = Cluster::default();
    cluster
        .apply_value(route(
            "traefik.containo.us/v1alpha1",
            "d",
            "r",
            "Path(`/old`)",
        ))
        .unwrap();
    cluster
        .apply_value(route("traefik.io/v1alpha1", "d", "r", "Path(`/new`)"))
        .unwrap();
    cluster
        .apply_value(route(
            "traefik.containo.us/v1alpha1",
            "d",
            "only-old",
            "Path(`/o`)",
        ))
        .unwrap();
    let all: Vec<Typed<Value>> = cluster.typed(Kind::IngressRoute).collect();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].key.name, "only-old");
    assert!(all[0].resource.is_legacy());
    assert_eq!(
        all[1].object.as_ref().unwrap()["spec"]["routes"][0]["match"],
        "Path(`/new`)"
    );
    assert_eq!(cluster.shadowed().len(), 1);
}

#[test]
fn replace_limits_itself_to_the_namespace_listed() {
    let mut cluster = Cluster::default();
    let r = Resource::new(Kind::IngressRoute, ApiGroup::Traefik);
    cluster
        .apply(r, route("traefik.io/v1alpha1", "a", "x", "Path(`/`)"))
        .unwrap();
    cluster
        .apply(r, route("traefik.io/v1alpha1", "b", "y", "Path(`/`)"))
        .unwrap();
    cluster.replace(
        r,
        Some("a"),
        vec![route("traefik.io/v1alpha1", "a", "z", "Path(`/`)")],
    );
    let keys: Vec<String> = cluster.keys().map(|(_, k)| k.to_string()).collect();
    assert_eq!(keys, ["a/z", "b/y"]);
    cluster.replace(r, None, vec![]);
    assert!(cluster.is_empty());
}

#[test]
fn resource_versions_do_not_make_objects_differ() {
    let mut a = Cluster::default();
    let mut b = Cluster::default();
    a.apply_value(route("traefik.io/v1alpha1", "d", "r", "Path(`/`)"))
        .unwrap();
    let mut changed = route("traefik.io/v1alpha1", "d", "r", "Path(`/`)");
    changed["metadata"]["resourceVersion"] = json!("8");
    b.apply_value(changed).unwrap();
    assert_eq!(a, b);
}

#[test]
fn parse_errors_name_the_key_path() {
    let mut cluster = Cluster::default();
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"},
        "spec": {"ports": [{"port": "eighty"}]}});
    cluster.apply_value(svc).unwrap();
    let parsed = cluster
        .get::<k8s_openapi::api::core::v1::Service>(Kind::Service, "default", "a")
        .unwrap();
    let error = parsed.unwrap_err();
    assert!(error.starts_with("spec.ports[0].port"), "{error}");
}
