//! A fake Kubernetes API server that speaks list + watch well enough for
//! kube-rs's `watcher` to run against it unchanged.
//!
//! [`FakeKubeApi::start`] serves plain HTTP on `127.0.0.1:0`. Tests put
//! objects in with [`FakeKubeApi::apply`] / [`FakeKubeApi::apply_yaml`],
//! remove them with [`FakeKubeApi::delete`], and read back what clients
//! wrote (an Ingress status, say) with [`FakeKubeApi::get`].
//!
//! What it serves, as the real API server does:
//! - list (`{Kind}List`, `labelSelector`, `limit`/`continue`, and
//!   `metadata.name` / `metadata.namespace` field selectors), get, create,
//!   replace, merge patch (also for strategic-merge and server-side apply
//!   patches), delete, and `/status` get, replace and patch;
//! - `watch=true` from a `resourceVersion` (the retained events after it,
//!   then live ones), from `""`/`"0"` (`ADDED` for every object first), or
//!   with `sendInitialEvents=true`; bookmarks; `timeoutSeconds`; a 410
//!   `Expired` `ERROR` event for a version older than the retained history;
//! - one global `resourceVersion` counter; watchers whose bounded queue fills
//!   up are dropped (their client re-watches);
//! - discovery (`/version`, `/api`, `/apis`, `/api/v1`,
//!   `/apis/{group}/{version}`).
//!
//! Served kinds: Traefik's CRDs in `traefik.io/v1alpha1` and
//! `traefik.containo.us/v1alpha1` (kept apart: they are different groups),
//! core `v1` Service, Endpoints, Secret, ConfigMap, Namespace, Pod,
//! ServiceAccount, Node, `discovery.k8s.io/v1` EndpointSlice,
//! `networking.k8s.io/v1` Ingress and IngressClass, a few `apps`, RBAC and
//! Gateway API kinds; any other kind becomes served (namespaced, derived
//! plural) when an object of it is applied, or with
//! [`FakeKubeApi::register_resource`]. Objects are never converted between
//! versions.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() {
//! use portico_test_support::FakeKubeApi;
//!
//! let api = FakeKubeApi::start().await;
//! api.apply_yaml(
//!     "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
//! );
//! // ... start a kube-rs watcher on api.url(), then:
//! api.wait_for_watches("Service", 1).await;
//! api.delete("v1", "Service", Some("default"), "web");
//! api.compact(); // every watch gets 410 and must list again
//! # }
//! ```

use std::{fmt, sync::Arc, time::Duration};

use serde::Deserialize;
use serde_json::Value;

use crate::upstream::{self, Upstream};

mod discovery;
mod http;
mod patch;
mod resources;
mod selector;
mod status;
mod store;
mod watch;

#[cfg(test)]
mod tests;

use self::{
    http::Shared,
    resources::{ResourceType, split_api_version},
};

/// How long [`FakeKubeApi::wait_for_watches`] waits before panicking.
const WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// A running fake API server; stops serving when the last clone is dropped.
#[derive(Clone)]
pub struct FakeKubeApi {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    upstream: Upstream,
}

// === impl FakeKubeApi ===

impl FakeKubeApi {
    /// Binds `127.0.0.1:0` (plain HTTP) and serves until dropped.
    pub async fn start() -> FakeKubeApi {
        let shared = Arc::new(Shared::default());
        let upstream = upstream::axum(http::router(shared.clone())).await;
        FakeKubeApi {
            inner: Arc::new(Inner { shared, upstream }),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.inner.upstream.url()
    }

    /// Creates or replaces the object named by its `apiVersion`, `kind`,
    /// `metadata.namespace` (default `"default"` for namespaced kinds) and
    /// `metadata.name`, and emits `ADDED` or `MODIFIED` to matching watches.
    ///
    /// Assigns `metadata.resourceVersion` from the global counter, and `uid`,
    /// `creationTimestamp` and `generation` as the API server does. An object
    /// without `status` keeps the stored status (as written by clients).
    /// Applying an object identical to the stored one changes nothing.
    /// Returns the object's `resourceVersion`.
    ///
    /// # Panics
    ///
    /// When `object` has no `apiVersion`, `kind` or `metadata.name`.
    pub fn apply(&self, object: Value) -> u64 {
        let (api_version, kind) = type_of(&object);
        let mut store = self.inner.shared.lock();
        let res = store.resources.by_kind_or_register(&api_version, &kind);
        let mut object = object;
        let namespace = object["metadata"]["namespace"].as_str().map(str::to_owned);
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if object.get("status").is_none()
            && let Some(status) = store
                .get(&res, namespace.as_deref(), &name)
                .and_then(|stored| stored.get("status"))
        {
            object["status"] = status.clone();
        }
        let stored = store
            .commit(&res, object)
            .unwrap_or_else(|e| panic!("FakeKubeApi::apply: {e}"));
        resource_version(&stored)
    }

    /// Applies every document of a multi-document YAML string; a `kind: List`
    /// document applies its `items`. Empty documents are skipped.
    ///
    /// # Panics
    ///
    /// When the YAML does not parse or a document cannot be applied.
    pub fn apply_yaml(&self, yaml: &str) {
        for document in serde_yaml::Deserializer::from_str(yaml) {
            let object = Value::deserialize(document)
                .unwrap_or_else(|e| panic!("FakeKubeApi::apply_yaml: invalid YAML: {e}"));
            if object.is_null() {
                continue;
            }
            if object["kind"] == "List" {
                for item in object["items"].as_array().into_iter().flatten() {
                    self.apply(item.clone());
                }
            } else {
                self.apply(object);
            }
        }
    }

    /// Deletes the object and emits `DELETED` (its last state, at a new
    /// `resourceVersion`). Returns whether it existed. `namespace` `None`
    /// means `"default"` for namespaced kinds.
    pub fn delete(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> bool {
        let mut store = self.inner.shared.lock();
        let res = store.resources.by_kind_or_register(api_version, kind);
        store.delete(&res, namespace, name).is_some()
    }

    /// The stored object, including any status written by clients.
    /// `namespace` `None` means `"default"` for namespaced kinds.
    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let mut store = self.inner.shared.lock();
        let res = store.resources.by_kind_or_register(api_version, kind);
        store.get(&res, namespace, name).cloned()
    }

    /// Forgets the event history: every open watch gets an `ERROR` event with
    /// a 410 `Expired` Status and is closed, and any later watch from a
    /// `resourceVersion` older than now gets the same; clients must list
    /// again.
    pub fn compact(&self) {
        self.inner.shared.lock().compact();
    }

    /// Sends a `BOOKMARK` event at the current `resourceVersion` to every open
    /// watch that asked for bookmarks.
    pub fn bookmark(&self) {
        self.inner.shared.lock().bookmark();
    }

    /// Waits until at least `n` watch streams are open on `kind` (a kind such
    /// as `"IngressRoute"`, in any group, or its plural).
    ///
    /// # Panics
    ///
    /// After 10 seconds without that many watches.
    pub async fn wait_for_watches(&self, kind: &str, n: usize) {
        let (kind, mut counts) = {
            let store = self.inner.shared.lock();
            (store.resources.kind_name(kind), store.watchers.subscribe())
        };
        let reached = counts.wait_for(|counts| counts.get(&kind).copied().unwrap_or(0) >= n);
        if tokio::time::timeout(WAIT_TIMEOUT, reached).await.is_err() {
            panic!(
                "FakeKubeApi: {} watches open on {kind} after {WAIT_TIMEOUT:?}, waited for {n}",
                self.watch_count(&kind)
            );
        }
    }

    /// Watch streams open now on `kind` (or its plural).
    pub fn watch_count(&self, kind: &str) -> usize {
        let store = self.inner.shared.lock();
        store.watchers.count(&store.resources.kind_name(kind))
    }

    /// LIST requests served so far for `kind` (or its plural), in any group.
    pub fn list_count(&self, kind: &str) -> usize {
        let store = self.inner.shared.lock();
        store.list_count(&store.resources.kind_name(kind))
    }

    /// The `Authorization` header of the latest request (`None` when it had
    /// none, or before any request).
    pub fn last_authorization(&self) -> Option<String> {
        self.inner.shared.lock().last_authorization.clone()
    }

    /// The current global `resourceVersion`.
    pub fn resource_version(&self) -> u64 {
        self.inner.shared.lock().rv()
    }

    /// Serves `kind` of `api_version` under `plural`, for custom resources
    /// whose plural or scope the derived ones would get wrong.
    pub fn register_resource(&self, api_version: &str, kind: &str, plural: &str, namespaced: bool) {
        let new = ResourceType::new(api_version, kind, plural, namespaced);
        self.inner.shared.lock().resources.register(new);
    }
}

impl fmt::Debug for FakeKubeApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeKubeApi")
            .field("url", &self.url())
            .field("resource_version", &self.resource_version())
            .finish()
    }
}

// === impl Inner ===

impl Drop for Inner {
    fn drop(&mut self) {
        // End every open watch stream so their connections close.
        self.shared.lock().watchers.close_all();
    }
}

/// `(apiVersion, kind)` of an object applied by a test.
fn type_of(object: &Value) -> (String, String) {
    let field = |name: &str| {
        object[name]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("FakeKubeApi::apply: object has no {name}: {object}"))
    };
    let api_version = field("apiVersion");
    let (group, version) = split_api_version(&api_version);
    if version.is_empty() || (group.is_empty() && api_version.contains('/')) {
        panic!("FakeKubeApi::apply: invalid apiVersion {api_version:?}");
    }
    (api_version.clone(), field("kind"))
}

fn resource_version(object: &Value) -> u64 {
    object["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|rv| rv.parse().ok())
        .unwrap_or_default()
}
