//! kube-rs (client, `watcher`, typed and dynamic kinds) against
//! [`FakeKubeApi`], unchanged.

use std::{collections::BTreeMap, time::Duration};

use futures_util::{Stream, StreamExt};
use kube::{
    Api, Client, Resource, ResourceExt,
    runtime::watcher::{self, Event},
};
use portico_test_support::FakeKubeApi;
use serde_json::{Value, json};

mod objects;
mod watch;

/// The longest any single step may take.
const STEP: Duration = Duration::from_secs(10);

/// A client for the fake (plain HTTP, no credentials).
fn client(api: &FakeKubeApi) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = api.url().parse().expect("fake url is a valid URI");
    Client::try_from(kube::Config::new(url)).expect("client builds")
}

/// A Service manifest.
fn service(namespace: &str, name: &str, labels: Value, port: u16) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": { "name": name, "namespace": namespace, "labels": labels },
        "spec": { "ports": [{ "port": port }] },
    })
}

/// `namespace/name`.
fn key<K: Resource>(object: &K) -> String {
    format!(
        "{}/{}",
        object.namespace().unwrap_or_default(),
        object.name_any()
    )
}

/// What a watcher has told so far: the objects it says exist, and a log of
/// every event.
#[derive(Debug)]
struct Mirror<K> {
    live: BTreeMap<String, K>,
    buffer: BTreeMap<String, K>,
    log: Vec<String>,
    errors: Vec<String>,
    init_done: usize,
}

impl<K: Resource + Clone> Mirror<K> {
    fn new() -> Self {
        Mirror {
            live: BTreeMap::new(),
            buffer: BTreeMap::new(),
            log: Vec::new(),
            errors: Vec::new(),
            init_done: 0,
        }
    }

    fn record(&mut self, event: Result<Event<K>, watcher::Error>) {
        match event {
            Ok(Event::Init) => {
                self.buffer.clear();
                self.log.push("Init".to_owned());
            }
            Ok(Event::InitApply(object)) => {
                self.log.push(format!("InitApply {}", key(&object)));
                self.buffer.insert(key(&object), object);
            }
            Ok(Event::InitDone) => {
                self.live = std::mem::take(&mut self.buffer);
                self.init_done += 1;
                self.log.push("InitDone".to_owned());
            }
            Ok(Event::Apply(object)) => {
                self.log.push(format!("Apply {}", key(&object)));
                self.live.insert(key(&object), object);
            }
            Ok(Event::Delete(object)) => {
                self.log.push(format!("Delete {}", key(&object)));
                self.live.remove(&key(&object));
            }
            Err(err) => self.errors.push(err.to_string()),
        }
    }

    fn names(&self) -> Vec<&str> {
        self.live.keys().map(String::as_str).collect()
    }

    /// Polls `stream` until `done` holds.
    async fn drive<S>(&mut self, stream: &mut S, done: impl Fn(&Self) -> bool)
    where
        S: Stream<Item = Result<Event<K>, watcher::Error>> + Unpin,
    {
        while !done(self) {
            let event = tokio::time::timeout(STEP, stream.next())
                .await
                .unwrap_or_else(|_| panic!("no watcher event in time; so far {:?}", self.log))
                .expect("a watcher stream never ends");
            self.record(event);
        }
    }
}

/// Polls `stream` (which must yield nothing meanwhile) until `n` watches are
/// open on `kind`: the watcher has listed and its watch is registered.
async fn until_watching<K, S>(api: &FakeKubeApi, kind: &str, n: usize, stream: &mut S)
where
    K: std::fmt::Debug,
    S: Stream<Item = Result<Event<K>, watcher::Error>> + Unpin,
{
    tokio::select! {
        () = api.wait_for_watches(kind, n) => {}
        event = stream.next() => panic!("unexpected watcher event {event:?}"),
    }
}

/// An `Api<K>` error's HTTP code.
fn api_code(err: kube::Error) -> u16 {
    match err {
        kube::Error::Api(status) => status.code,
        other => panic!("expected an API error, got {other}"),
    }
}

#[tokio::test]
async fn typed_list_sees_applied_services_and_honours_label_selectors() {
    use k8s_openapi::api::core::v1::Service;
    use kube::api::ListParams;

    let fake = FakeKubeApi::start().await;
    fake.apply(service(
        "default",
        "web",
        json!({"app": "web", "tier": "front"}),
        80,
    ));
    fake.apply(service(
        "default",
        "api",
        json!({"app": "api", "tier": "back"}),
        8080,
    ));
    fake.apply(service("other", "db", json!({"app": "db"}), 5432));
    let api: Api<Service> = Api::all(client(&fake));

    let all = api.list(&ListParams::default()).await.expect("list");
    let names: Vec<String> = all.items.iter().map(key).collect();
    assert_eq!(names, ["default/api", "default/web", "other/db"]);
    assert_eq!(
        all.metadata.resource_version,
        Some(fake.resource_version().to_string()),
        "list carries the current global resourceVersion"
    );
    let web = all
        .items
        .iter()
        .find(|s| s.name_any() == "web")
        .expect("web");
    let port = web
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .map(|p| p[0].port);
    assert_eq!(port, Some(80), "typed objects keep their spec");
    assert!(web.metadata.uid.is_some() && web.metadata.creation_timestamp.is_some());

    for (selector, expected) in [
        ("app=web", vec!["default/web"]),
        ("tier!=front", vec!["default/api", "other/db"]),
        ("tier", vec!["default/api", "default/web"]),
        ("!tier", vec!["other/db"]),
        ("app in (db,api),tier==back", vec!["default/api"]),
    ] {
        let list = api
            .list(&ListParams::default().labels(selector))
            .await
            .expect("list with selector");
        let names: Vec<String> = list.items.iter().map(key).collect();
        assert_eq!(names, expected, "selector {selector:?}");
    }

    let namespaced: Api<Service> = Api::namespaced(client(&fake), "other");
    let names: Vec<String> = namespaced
        .list(&ListParams::default())
        .await
        .expect("namespaced list")
        .items
        .iter()
        .map(key)
        .collect();
    assert_eq!(names, ["other/db"]);
    assert_eq!(fake.list_count("Service"), 7);
    assert_eq!(fake.list_count("services"), 7, "plural names the same kind");
}
