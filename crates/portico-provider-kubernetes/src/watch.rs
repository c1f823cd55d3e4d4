//! Watching the API server with kube-rs: one list + watch stream per resource
//! and namespace, all feeding one [`Cluster`], which [`ClusterWatch::changed`]
//! hands out once every stream has listed and whenever it changed since.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use futures_util::StreamExt;
use kube::{
    Api, Client, Config,
    api::{ApiResource, DynamicObject, GroupVersionKind},
    runtime::{
        WatchStreamExt,
        watcher::{self, Event},
    },
};
use portico_config::model::KubernetesClientSpec;
use rustls_pki_types::{CertificateDer, pem::PemObject};
use serde_json::Value;
use tokio::{sync::Notify, task::JoinHandle};
use tracing::{debug, info, warn};

use crate::{
    cluster::{Cluster, ObjectKey, Resource},
    selector::{LabelSelector, SelectorError},
};

/// The API server cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// `endpoint` is not a URL.
    #[error("endpoint {endpoint:?}: {reason}")]
    Endpoint {
        /// The configured endpoint.
        endpoint: String,
        /// Why it is not usable.
        reason: String,
    },
    /// `certAuthFilePath` cannot be read.
    #[error("certAuthFilePath {}: {reason}", path.display())]
    CertAuth {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// Neither in-cluster settings nor a kubeconfig were found.
    #[error("no endpoint configured, and {0}")]
    Infer(String),
    /// The client could not be built.
    #[error("kubernetes client: {0}")]
    Client(#[from] kube::Error),
}

/// A client for the configured API server: `endpoint` (+ `token`,
/// `certAuthFilePath`) when set, else in-cluster settings or the kubeconfig.
pub async fn client(spec: &KubernetesClientSpec) -> Result<Client, ClientError> {
    let mut config = match &spec.endpoint {
        Some(endpoint) => {
            let url =
                endpoint
                    .parse()
                    .map_err(|e: http::uri::InvalidUri| ClientError::Endpoint {
                        endpoint: endpoint.clone(),
                        reason: e.to_string(),
                    })?;
            Config::new(url)
        }
        None => Config::infer()
            .await
            .map_err(|e| ClientError::Infer(e.to_string()))?,
    };
    if let Some(token) = &spec.token {
        config.auth_info.token = Some(token.clone().into());
    }
    if let Some(path) = &spec.cert_auth_file_path {
        let certs: Result<Vec<_>, _> = CertificateDer::pem_file_iter(path)
            .map_err(|e| ClientError::CertAuth {
                path: path.clone(),
                reason: e.to_string(),
            })?
            .map(|c| c.map(|c| c.to_vec()))
            .collect();
        let certs = certs.map_err(|e| ClientError::CertAuth {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        if certs.is_empty() {
            return Err(ClientError::CertAuth {
                path: path.clone(),
                reason: "no PEM certificate in the file".into(),
            });
        }
        config.root_cert = Some(certs);
    }
    Ok(Client::try_from(config)?)
}

/// What to watch.
#[derive(Clone, Debug, Default)]
pub struct WatchSpec {
    /// The resources.
    pub resources: Vec<Resource>,
    /// Namespaces (empty: all).
    pub namespaces: Vec<String>,
    /// Label selector, applied to the resources `selected` says.
    pub label_selector: Option<String>,
    /// The kinds the label selector applies to (the provider's own objects, not
    /// the Services and Secrets they name).
    pub selected: Vec<crate::cluster::Kind>,
}

// === impl WatchSpec ===

impl WatchSpec {
    /// Keeps the objects of `cluster` a watch with this spec would have listed:
    /// in the namespaces, and for the selected kinds, matching the label
    /// selector (what the API server filters; manifests need it done here).
    pub fn scope(&self, cluster: &mut Cluster) -> Result<(), SelectorError> {
        let selector: Option<LabelSelector> =
            self.label_selector.as_deref().map(str::parse).transpose()?;
        cluster.retain(|resource, key, object| {
            if !self.resources.contains(&resource) {
                return false;
            }
            if resource.kind.namespaced()
                && !self.namespaces.is_empty()
                && !self.namespaces.contains(&key.namespace)
            {
                return false;
            }
            match &selector {
                Some(selector) if self.selected.contains(&resource.kind) => {
                    let labels: BTreeMap<String, String> = object
                        .pointer("/metadata/labels")
                        .and_then(|l| serde_json::from_value(l.clone()).ok())
                        .unwrap_or_default();
                    selector.matches(&labels)
                }
                _ => true,
            }
        });
        Ok(())
    }
}

/// Running watchers and the cluster they keep.
#[derive(Debug)]
pub struct ClusterWatch {
    state: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
    last: Option<Cluster>,
}

#[derive(Debug, Default)]
struct Shared {
    inner: Mutex<State>,
    changed: Notify,
}

#[derive(Debug, Default)]
struct State {
    cluster: Cluster,
    /// Streams that have not completed their first list.
    unsynced: BTreeSet<(Resource, String)>,
}

// === impl ClusterWatch ===

impl ClusterWatch {
    /// Starts one watcher per resource and namespace.
    pub fn start(client: Client, spec: &WatchSpec) -> ClusterWatch {
        let state = Arc::new(Shared::default());
        let namespaces: Vec<Option<String>> = if spec.namespaces.is_empty() {
            vec![None]
        } else {
            spec.namespaces.iter().cloned().map(Some).collect()
        };
        let mut tasks = Vec::new();
        for resource in &spec.resources {
            let scopes: &[Option<String>] = if resource.kind.namespaced() {
                &namespaces
            } else {
                &[None]
            };
            for ns in scopes {
                let scope = ns.clone().unwrap_or_default();
                lock(&state.inner)
                    .unsynced
                    .insert((*resource, scope.clone()));
                let selector = spec
                    .label_selector
                    .clone()
                    .filter(|_| spec.selected.contains(&resource.kind));
                let stream = Stream {
                    client: client.clone(),
                    resource: *resource,
                    namespace: ns.clone(),
                    selector,
                    state: state.clone(),
                };
                tasks.push(tokio::spawn(stream.run()));
            }
        }
        ClusterWatch {
            state,
            tasks,
            last: None,
        }
    }

    /// Waits until every stream has listed once and the cluster differs from the
    /// one last returned, then waits `throttle` more (gathering further changes)
    /// and returns it.
    pub async fn changed(&mut self, throttle: Duration) -> Cluster {
        loop {
            let notified = self.state.changed.notified();
            let ready = {
                let state = lock(&self.state.inner);
                state.unsynced.is_empty() && self.last.as_ref() != Some(&state.cluster)
            };
            if ready {
                if !throttle.is_zero() {
                    tokio::time::sleep(throttle).await;
                }
                let cluster = lock(&self.state.inner).cluster.clone();
                if self.last.as_ref() != Some(&cluster) {
                    self.last = Some(cluster.clone());
                    return cluster;
                }
                continue;
            }
            notified.await;
        }
    }
}

impl Drop for ClusterWatch {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// One list + watch stream.
struct Stream {
    client: Client,
    resource: Resource,
    namespace: Option<String>,
    selector: Option<String>,
    state: Arc<Shared>,
}

impl Stream {
    async fn run(self) {
        let gvk = GroupVersionKind::gvk(
            self.resource.group.group(),
            self.resource.group.version(),
            self.resource.kind.name(),
        );
        let api_resource = ApiResource::from_gvk_with_plural(&gvk, self.resource.kind.plural());
        let api: Api<DynamicObject> = match &self.namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &api_resource),
            None => Api::all_with(self.client.clone(), &api_resource),
        };
        let mut config = watcher::Config::default();
        if let Some(selector) = &self.selector {
            config = config.labels(selector);
        }
        let scope = self.namespace.clone().unwrap_or_default();
        let mut events = watcher::watcher(api, config).default_backoff().boxed();
        let mut buffer = Vec::new();
        let mut reported_missing = false;
        while let Some(event) = events.next().await {
            match event {
                Ok(Event::Init) => buffer.clear(),
                Ok(Event::InitApply(object)) => buffer.push(to_value(object)),
                Ok(Event::InitDone) => {
                    let objects = std::mem::take(&mut buffer);
                    debug!(resource = %self.resource, namespace = %scope, objects = objects.len(), "listed");
                    self.update(|state| {
                        state
                            .cluster
                            .replace(self.resource, self.namespace.as_deref(), objects);
                        state.unsynced.remove(&(self.resource, scope.clone()));
                    });
                }
                Ok(Event::Apply(object)) => {
                    let object = to_value(object);
                    self.update(|state| {
                        if let Err(e) = state.cluster.apply(self.resource, object) {
                            warn!("{e}");
                        }
                    });
                }
                Ok(Event::Delete(object)) => {
                    let object = to_value(object);
                    if let Ok(key) = ObjectKey::of(self.resource, &object) {
                        self.update(|state| {
                            state.cluster.delete(self.resource, &key);
                        });
                    }
                }
                Err(error) if not_served(&error) => {
                    // The API server does not serve this resource (its CRD is not
                    // installed: the legacy group in most clusters). Count it as
                    // listed and empty; keep retrying quietly in case it appears.
                    if !reported_missing {
                        reported_missing = true;
                        info!(resource = %self.resource, "not served by the API server; watching for it to appear");
                        self.update(|state| {
                            state.cluster.replace(
                                self.resource,
                                self.namespace.as_deref(),
                                Vec::new(),
                            );
                            state.unsynced.remove(&(self.resource, scope.clone()));
                        });
                    }
                }
                Err(error) => {
                    warn!(resource = %self.resource, namespace = %scope, %error, "kubernetes watch failed; retrying");
                }
            }
        }
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut lock(&self.state.inner));
        self.state.changed.notify_waiters();
        self.state.changed.notify_one();
    }
}

fn to_value(object: DynamicObject) -> Value {
    serde_json::to_value(object).unwrap_or(Value::Null)
}

fn not_served(error: &watcher::Error) -> bool {
    match error {
        watcher::Error::InitialListFailed(kube::Error::Api(status))
        | watcher::Error::WatchStartFailed(kube::Error::Api(status)) => status.code == 404,
        _ => false,
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(endpoint: &str) -> KubernetesClientSpec {
        KubernetesClientSpec {
            endpoint: Some(endpoint.to_owned()),
            ..KubernetesClientSpec::default()
        }
    }

    #[tokio::test]
    async fn client_settings_errors_name_the_setting() {
        let error = client(&spec("http://[::1")).await.err().unwrap();
        assert!(
            error.to_string().starts_with("endpoint \"http://[::1\""),
            "{error}"
        );

        let dir = tempfile::tempdir().unwrap();
        let missing = KubernetesClientSpec {
            cert_auth_file_path: Some(dir.path().join("ca.crt")),
            ..spec("https://127.0.0.1:6443")
        };
        let error = client(&missing).await.err().unwrap();
        assert!(
            error.to_string().starts_with("certAuthFilePath "),
            "{error}"
        );

        let empty = dir.path().join("empty.crt");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let not_pem = KubernetesClientSpec {
            cert_auth_file_path: Some(empty),
            ..spec("https://127.0.0.1:6443")
        };
        let error = client(&not_pem).await.err().unwrap();
        assert!(error.to_string().contains("no PEM certificate"), "{error}");
    }

    #[tokio::test]
    async fn a_token_and_a_ca_file_make_a_client() {
        let ca = rcgen::generate_simple_self_signed(vec!["kubernetes".to_owned()]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.crt");
        std::fs::write(&path, ca.cert.pem()).unwrap();
        let with_ca = KubernetesClientSpec {
            token: Some("t0ken".into()),
            cert_auth_file_path: Some(path),
            ..spec("https://127.0.0.1:6443")
        };
        assert!(client(&with_ca).await.is_ok());
    }

    #[test]
    fn scope_applies_namespaces_and_the_selector_to_selected_kinds() {
        use crate::cluster::Kind;
        let mut cluster = Cluster::default();
        for (kind, ns, name, labels) in [
            ("IngressRoute", "a", "in", serde_json::json!({"app": "x"})),
            ("IngressRoute", "a", "unlabelled", serde_json::json!({})),
            (
                "IngressRoute",
                "b",
                "outside",
                serde_json::json!({"app": "x"}),
            ),
        ] {
            cluster
                .apply_value(
                    serde_json::json!({"apiVersion": "traefik.io/v1alpha1", "kind": kind,
                    "metadata": {"name": name, "namespace": ns, "labels": labels}}),
                )
                .unwrap();
        }
        cluster
            .apply_value(serde_json::json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "svc", "namespace": "a"}}))
            .unwrap();
        let spec = WatchSpec {
            resources: Resource::crd_provider(),
            namespaces: vec!["a".into()],
            label_selector: Some("app=x".into()),
            selected: vec![Kind::IngressRoute],
        };
        spec.scope(&mut cluster).unwrap();
        let kept: Vec<String> = cluster.keys().map(|(_, k)| k.to_string()).collect();
        assert_eq!(kept, ["a/in", "a/svc"]);
        let bad = WatchSpec {
            label_selector: Some("app in x".into()),
            ..spec
        };
        assert!(bad.scope(&mut cluster).is_err());
    }
}
