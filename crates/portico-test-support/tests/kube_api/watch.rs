//! `kube::runtime::watcher` and raw `Api::watch` against the fake.

use k8s_openapi::api::core::v1::Service;
use kube::{
    api::{ApiResource, DynamicObject, GroupVersionKind, ListParams, WatchEvent, WatchParams},
    runtime::watcher::{Config, watcher},
};

use super::*;

#[tokio::test]
async fn watcher_yields_init_then_apply_and_delete() {
    let fake = FakeKubeApi::start().await;
    fake.apply(service("default", "a", json!({}), 80));
    fake.apply(service("other", "b", json!({}), 80));
    let mut stream = watcher(Api::<Service>::all(client(&fake)), Config::default()).boxed();
    let mut mirror = Mirror::new();

    mirror.drive(&mut stream, |m| m.init_done == 1).await;
    assert_eq!(
        mirror.log,
        [
            "Init",
            "InitApply default/a",
            "InitApply other/b",
            "InitDone"
        ]
    );
    until_watching(&fake, "Service", 1, &mut stream).await;

    fake.apply(service("default", "c", json!({}), 80));
    fake.apply(service("default", "a", json!({}), 81));
    assert!(fake.delete("v1", "Service", Some("other"), "b"));
    mirror.drive(&mut stream, |m| m.log.len() == 7).await;
    assert_eq!(
        mirror.log[4..],
        ["Apply default/c", "Apply default/a", "Delete other/b"]
    );
    assert_eq!(mirror.names(), ["default/a", "default/c"]);
    let a = &mirror.live["default/a"];
    let port = a
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .map(|p| p[0].port);
    assert_eq!(port, Some(81), "the change reached the watcher");
    assert!(mirror.errors.is_empty(), "{:?}", mirror.errors);
    assert_eq!(fake.list_count("Service"), 1);
}

fn ingress_route(api_version: &str, name: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": "IngressRoute",
        "metadata": { "name": name, "namespace": "default" },
        "spec": { "routes": [{ "match": format!("Host(`{name}.test`)"), "kind": "Rule" }] },
    })
}

#[tokio::test]
async fn dynamic_ingressroutes_stay_in_their_group() {
    let fake = FakeKubeApi::start().await;
    let client = client(&fake);
    fake.apply(ingress_route("traefik.io/v1alpha1", "a"));
    fake.apply(ingress_route("traefik.containo.us/v1alpha1", "b"));
    let resource = |group| {
        let gvk = GroupVersionKind::gvk(group, "v1alpha1", "IngressRoute");
        ApiResource::from_gvk_with_plural(&gvk, "ingressroutes")
    };
    let current: Api<DynamicObject> = Api::all_with(client.clone(), &resource("traefik.io"));
    let legacy: Api<DynamicObject> =
        Api::namespaced_with(client, "default", &resource("traefik.containo.us"));

    let names = |list: kube::core::ObjectList<DynamicObject>| -> Vec<String> {
        list.items.iter().map(key).collect()
    };
    assert_eq!(
        names(current.list(&ListParams::default()).await.expect("list")),
        ["default/a"]
    );
    assert_eq!(
        names(legacy.list(&ListParams::default()).await.expect("list")),
        ["default/b"]
    );

    let mut current_stream = watcher(current, Config::default()).boxed();
    let mut legacy_stream = watcher(legacy, Config::default()).boxed();
    let (mut current_mirror, mut legacy_mirror) = (Mirror::new(), Mirror::new());
    current_mirror
        .drive(&mut current_stream, |m| m.init_done == 1)
        .await;
    legacy_mirror
        .drive(&mut legacy_stream, |m| m.init_done == 1)
        .await;
    assert_eq!(current_mirror.names(), ["default/a"]);
    assert_eq!(legacy_mirror.names(), ["default/b"]);
    tokio::select! {
        () = fake.wait_for_watches("IngressRoute", 2) => {}
        event = current_stream.next() => panic!("unexpected event {event:?}"),
        event = legacy_stream.next() => panic!("unexpected event {event:?}"),
    }

    // Changes to the legacy group first: had they leaked into the current
    // group's watch, they would come before `c` there.
    fake.apply(ingress_route("traefik.containo.us/v1alpha1", "d"));
    assert!(fake.delete("traefik.containo.us/v1alpha1", "IngressRoute", None, "b"));
    fake.apply(ingress_route("traefik.io/v1alpha1", "c"));

    current_mirror
        .drive(&mut current_stream, |m| m.live.contains_key("default/c"))
        .await;
    legacy_mirror
        .drive(&mut legacy_stream, |m| !m.live.contains_key("default/b"))
        .await;
    assert_eq!(current_mirror.names(), ["default/a", "default/c"]);
    assert_eq!(legacy_mirror.names(), ["default/d"]);
    assert_eq!(current_mirror.log[3..], ["Apply default/c"]);
    assert_eq!(
        legacy_mirror.log[3..],
        ["Apply default/d", "Delete default/b"]
    );
    let c = &current_mirror.live["default/c"];
    assert_eq!(c.data["spec"]["routes"][0]["match"], "Host(`c.test`)");
    assert_eq!(
        c.types.as_ref().map(|t| t.api_version.as_str()),
        Some("traefik.io/v1alpha1")
    );
}

#[tokio::test]
async fn watcher_relists_after_compaction_and_converges() {
    let fake = FakeKubeApi::start().await;
    fake.apply(service("default", "keep", json!({"v": "1"}), 80));
    fake.apply(service("default", "gone", json!({}), 80));
    let mut stream = watcher(Api::<Service>::all(client(&fake)), Config::default()).boxed();
    let mut mirror = Mirror::new();
    mirror.drive(&mut stream, |m| m.init_done == 1).await;
    until_watching(&fake, "Service", 1, &mut stream).await;
    let lists_before = fake.list_count("Service");

    // The watch is closed with a 410; the watcher is not polled while these
    // changes happen, so it can only learn them by listing again.
    fake.compact();
    assert_eq!(
        fake.watch_count("Service"),
        0,
        "compaction closes every watch"
    );
    fake.apply(service("default", "keep", json!({"v": "2"}), 80));
    assert!(fake.delete("v1", "Service", Some("default"), "gone"));
    fake.apply(service("default", "new", json!({}), 80));

    mirror.drive(&mut stream, |m| m.init_done == 2).await;
    assert_eq!(mirror.names(), ["default/keep", "default/new"]);
    assert_eq!(mirror.live["default/keep"].labels()["v"], "2");
    assert!(
        fake.list_count("Service") > lists_before,
        "the watcher listed again"
    );
    assert_eq!(mirror.errors.len(), 1, "{:?}", mirror.errors);
    assert!(mirror.errors[0].contains("410") || mirror.errors[0].contains("Expired"));

    // And it watches again from the new list, live.
    until_watching(&fake, "Service", 1, &mut stream).await;
    fake.apply(service("default", "later", json!({}), 80));
    mirror
        .drive(&mut stream, |m| m.live.contains_key("default/later"))
        .await;
    assert_eq!(
        mirror.names(),
        ["default/keep", "default/later", "default/new"]
    );
}

/// Every event of a watch that ends by itself (its timeout), as `TYPE name`.
async fn collect(api: &Api<Service>, params: &WatchParams, from: &str) -> Vec<String> {
    let stream = api.watch(params, from).await.expect("watch starts");
    let events: Vec<_> = tokio::time::timeout(STEP, stream.collect::<Vec<_>>())
        .await
        .expect("the watch ends at its timeout");
    events
        .into_iter()
        .map(|event| match event.expect("event parses") {
            WatchEvent::Added(s) => format!("ADDED {}", s.name_any()),
            WatchEvent::Modified(s) => format!("MODIFIED {}", s.name_any()),
            WatchEvent::Deleted(s) => format!("DELETED {}", s.name_any()),
            WatchEvent::Bookmark(b) => format!("BOOKMARK {}", b.metadata.resource_version),
            WatchEvent::Error(e) => format!("ERROR {} {}", e.code, e.reason),
        })
        .collect()
}

#[tokio::test]
async fn watch_replays_from_a_version_and_follows_label_transitions() {
    let fake = FakeKubeApi::start().await;
    let api: Api<Service> = Api::namespaced(client(&fake), "default");
    // Something of another kind first, so that `start - 1` is not "0".
    fake.apply(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}));
    let start = fake.apply(service("default", "a", json!({"app": "web"}), 80));
    fake.apply(service("default", "b", json!({"app": "db"}), 80));
    fake.apply(service("default", "a", json!({"app": "web"}), 81));
    fake.apply(service("default", "a", json!({"app": "other"}), 81));
    fake.apply(service("default", "b", json!({"app": "web"}), 80));
    fake.apply(service("elsewhere", "c", json!({"app": "web"}), 80));
    let params = WatchParams::default().labels("app=web").timeout(1);

    let replayed = collect(&api, &params, &(start - 1).to_string()).await;
    assert_eq!(
        replayed,
        ["ADDED a", "MODIFIED a", "DELETED a", "ADDED b"],
        "ADDED on entering the selector, DELETED on leaving it; other namespaces unseen"
    );
    let from_now = collect(&api, &params, "0").await;
    assert_eq!(
        from_now,
        ["ADDED b"],
        "resourceVersion 0 starts with the current objects"
    );
    let all = collect(&api, &WatchParams::default().timeout(1), &start.to_string()).await;
    assert_eq!(all, ["ADDED b", "MODIFIED a", "MODIFIED a", "MODIFIED b"]);
}

#[tokio::test]
async fn watch_gets_bookmarks_and_a_410_on_compaction() {
    let fake = FakeKubeApi::start().await;
    let api: Api<Service> = Api::all(client(&fake));
    let old = fake.apply(service("default", "a", json!({}), 80));
    fake.apply(service("default", "b", json!({}), 80));

    let mut stream = api
        .watch(&WatchParams::default(), &old.to_string())
        .await
        .expect("watch")
        .boxed();
    let mut next = async || {
        let event = tokio::time::timeout(STEP, stream.next())
            .await
            .expect("event in time");
        event.map(|e| format!("{:?}", e.expect("event parses")))
    };
    assert_eq!(next().await.as_deref(), Some("Added event"), "b replayed");
    fake.wait_for_watches("Service", 1).await;
    fake.bookmark();
    assert_eq!(next().await.as_deref(), Some("Bookmark event"));
    fake.compact();
    let error = next().await.expect("an error event");
    assert!(
        error.contains("410") && error.contains("Expired"),
        "{error}"
    );
    assert_eq!(next().await, None, "the stream is closed after the error");

    // Resuming from before the compaction is refused the same way.
    let replay = collect(&api, &WatchParams::default().timeout(1), &old.to_string()).await;
    assert_eq!(replay, ["ERROR 410 Expired"]);
    let rv = fake.resource_version();
    let bookmarks = {
        let stream = api
            .watch(&WatchParams::default().timeout(1), &rv.to_string())
            .await
            .expect("watch");
        fake.wait_for_watches("Service", 1).await;
        fake.bookmark();
        let first = tokio::time::timeout(STEP, stream.boxed().next())
            .await
            .expect("in time");
        match first.expect("an event").expect("parses") {
            WatchEvent::Bookmark(b) => b.metadata.resource_version,
            other => panic!("expected a bookmark, got {other:?}"),
        }
    };
    assert_eq!(
        bookmarks,
        rv.to_string(),
        "a bookmark carries the current version"
    );
}
