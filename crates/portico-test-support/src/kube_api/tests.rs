use serde_json::json;

use super::{
    resources::{Resources, derive_plural},
    store::{ListQuery, Store, WatchStart, rfc3339},
    watch::WATCH_CAPACITY,
    *,
};

fn service_type() -> ResourceType {
    Resources::default().by_kind_or_register("v1", "Service")
}

fn service(name: &str, port: u16) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": { "name": name },
        "spec": { "ports": [{ "port": port }] },
    })
}

#[test]
fn commit_assigns_metadata_and_skips_no_op_writes() {
    let mut store = Store::default();
    let res = service_type();
    let first = store.commit(&res, service("web", 80)).expect("create");
    assert_eq!(first["metadata"]["resourceVersion"], "1");
    assert_eq!(first["metadata"]["namespace"], "default");
    assert_eq!(first["metadata"]["generation"], 1);
    let uid = first["metadata"]["uid"].clone();
    assert!(uid.is_string());

    let same = store.commit(&res, service("web", 80)).expect("no-op");
    assert_eq!(same, first, "an identical write changes nothing");
    assert_eq!(store.rv(), 1);

    let changed = store.commit(&res, service("web", 81)).expect("update");
    assert_eq!(changed["metadata"]["resourceVersion"], "2");
    assert_eq!(changed["metadata"]["uid"], uid, "uid is kept");
    assert_eq!(
        changed["metadata"]["generation"], 2,
        "a spec change bumps generation"
    );

    let mut with_status = changed;
    with_status["status"] = json!({"loadBalancer": {}});
    let status_only = store.commit(&res, with_status).expect("status");
    assert_eq!(
        status_only["metadata"]["generation"], 2,
        "status is no spec change"
    );

    let err = store
        .commit(
            &res,
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {}}),
        )
        .expect_err("no name");
    assert_eq!(err.code, 422);
    let err = store.commit(&res, json!([1])).expect_err("not an object");
    assert_eq!(err.code, 400);
}

#[test]
fn history_is_bounded_and_older_watches_get_410() {
    let mut store = Store::default();
    store.history.set_limit(3);
    let res = service_type();
    for port in 1..=5 {
        store.commit(&res, service("web", port)).expect("write");
    }
    let query = ListQuery::default();
    let err = store
        .watch(&res, &query, WatchStart::After(1), false)
        .expect_err("event 2 is forgotten");
    assert_eq!((err.code, err.reason), (410, "Expired"));
    let started = store
        .watch(&res, &query, WatchStart::After(2), false)
        .expect("events 3 to 5 are retained");
    assert_eq!(started.replay.len(), 3);

    store.compact();
    assert!(
        store
            .watch(&res, &query, WatchStart::After(4), false)
            .is_err()
    );
    assert!(
        store
            .watch(&res, &query, WatchStart::After(5), false)
            .is_ok()
    );
}

#[tokio::test]
async fn a_watch_that_does_not_read_is_dropped() {
    let mut store = Store::default();
    let res = service_type();
    let mut started = store
        .watch(
            &res,
            &ListQuery::default(),
            WatchStart::Now { initial_end: false },
            false,
        )
        .expect("watch");
    assert_eq!(store.watchers.count("Service"), 1);
    for port in 0..=WATCH_CAPACITY {
        store
            .commit(&res, service("web", port as u16))
            .expect("write");
    }
    assert_eq!(
        store.watchers.count("Service"),
        0,
        "the full watch was dropped"
    );
    let mut received = 0;
    while started.live.recv().await.is_some() {
        received += 1;
    }
    assert_eq!(
        received, WATCH_CAPACITY,
        "what was queued is delivered, then the end"
    );
}

#[test]
fn watch_from_now_lists_then_marks_the_end() {
    let mut store = Store::default();
    let res = service_type();
    store.commit(&res, service("a", 80)).expect("write");
    store.commit(&res, service("b", 80)).expect("write");
    let started = store
        .watch(
            &res,
            &ListQuery::default(),
            WatchStart::Now { initial_end: true },
            true,
        )
        .expect("watch");
    let lines: Vec<Value> = started
        .replay
        .iter()
        .map(|l| serde_json::from_slice(l).expect("json line"))
        .collect();
    let types: Vec<&str> = lines.iter().filter_map(|l| l["type"].as_str()).collect();
    assert_eq!(types, ["ADDED", "ADDED", "BOOKMARK"]);
    assert_eq!(lines[2]["object"]["metadata"]["resourceVersion"], "2");
    assert_eq!(
        lines[2]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
}

#[test]
fn plurals_and_timestamps() {
    assert_eq!(derive_plural("Ingress"), "ingresses");
    assert_eq!(derive_plural("Policy"), "policies");
    assert_eq!(derive_plural("Gateway"), "gateways");
    assert_eq!(derive_plural("Widget"), "widgets");
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339(1_735_689_599), "2024-12-31T23:59:59Z");
}

#[test]
fn a_kind_known_at_another_version_keeps_its_scope() {
    let mut resources = Resources::default();
    let v1beta1 =
        resources.by_kind_or_register("gateway.networking.k8s.io/v1beta1", "GatewayClass");
    assert!(!v1beta1.namespaced);
    assert_eq!(v1beta1.plural, "gatewayclasses");
    assert!(
        resources
            .by_plural("gateway.networking.k8s.io", "v1beta1", "gatewayclasses")
            .is_some()
    );
    assert_eq!(resources.kind_name("ingressroutes"), "IngressRoute");
}

#[tokio::test]
async fn apply_yaml_list_and_get() {
    let api = FakeKubeApi::start().await;
    api.apply_yaml("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n");
    let secret = api
        .get("v1", "Secret", Some("default"), "s")
        .expect("stored");
    assert_eq!(secret["metadata"]["resourceVersion"], "1");
    assert!(api.delete("v1", "Secret", None, "s"));
    assert!(!api.delete("v1", "Secret", None, "s"), "already gone");
    assert_eq!(api.resource_version(), 2);
}
