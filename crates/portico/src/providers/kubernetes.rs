//! Running the Kubernetes providers: objects from an API server (kube-rs
//! watchers) or from manifest files (watched like the file provider), translated
//! and sent to the supervisor.

use std::time::Duration;

use portico_config::model::{
    InstallModel, KubernetesClientSpec, KubernetesCrdSpec, KubernetesIngressSpec,
};
use portico_provider_file::Watch;
use portico_provider_kubernetes::{
    cluster::{Cluster, Kind, Resource},
    crd, ingress, manifests,
    translation::Translation,
    watch::{self, ClusterWatch, WatchSpec},
};
use tokio::{sync::mpsc, task::JoinHandle};
use tracing::{error, info, warn};

use super::{Provided, ProviderError};
use crate::app::ProviderUpdate;

/// One configured Kubernetes provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KubernetesProvider {
    /// `providers.kubernetesCRD`.
    Crd(KubernetesCrdSpec),
    /// `providers.kubernetesIngress`.
    Ingress(KubernetesIngressSpec),
}

impl KubernetesProvider {
    /// The Kubernetes providers `install` configures.
    pub(crate) fn configured(install: &InstallModel) -> Vec<KubernetesProvider> {
        let p = &install.providers;
        let crd = p.kubernetes_crd.clone().map(KubernetesProvider::Crd);
        let ingress = p
            .kubernetes_ingress
            .clone()
            .map(KubernetesProvider::Ingress);
        crd.into_iter().chain(ingress).collect()
    }

    /// The provider name qualifying its objects.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            KubernetesProvider::Crd(_) => crd::PROVIDER,
            KubernetesProvider::Ingress(_) => ingress::PROVIDER,
        }
    }

    /// Connection and watch settings.
    pub(crate) fn client(&self) -> &KubernetesClientSpec {
        match self {
            KubernetesProvider::Crd(spec) => &spec.client,
            KubernetesProvider::Ingress(spec) => &spec.client,
        }
    }

    fn translate(&self, cluster: &Cluster) -> Translation {
        match self {
            KubernetesProvider::Crd(spec) => crd::translate(cluster, spec),
            KubernetesProvider::Ingress(spec) => ingress::translate(cluster, spec),
        }
    }

    fn watch_spec(&self) -> WatchSpec {
        let client = self.client();
        let (resources, selected) = match self {
            KubernetesProvider::Crd(_) => (
                Resource::crd_provider(),
                vec![
                    Kind::IngressRoute,
                    Kind::Middleware,
                    Kind::TlsOption,
                    Kind::TlsStore,
                    Kind::TraefikService,
                    Kind::ServersTransport,
                    Kind::IngressRouteTcp,
                    Kind::IngressRouteUdp,
                    Kind::MiddlewareTcp,
                    Kind::ServersTransportTcp,
                ],
            ),
            KubernetesProvider::Ingress(spec) => (
                Resource::ingress_provider(!spec.disable_ingress_class_lookup),
                vec![Kind::Ingress],
            ),
        };
        WatchSpec {
            resources,
            namespaces: client.namespaces.clone(),
            label_selector: client.label_selector.clone(),
            selected,
        }
    }

    fn provided(&self, cluster: &Cluster, warnings: Vec<String>) -> Provided {
        let translation = self.translate(cluster);
        let mut all = warnings;
        all.extend(translation.warnings);
        Provided {
            config: translation.config,
            failed: translation.failed,
            warnings: all,
            sources: cluster.len(),
        }
    }
}

/// Reads a provider's manifests and translates them.
///
/// The provider's namespaces and label selector apply as an API server would
/// apply them.
pub(crate) fn load_manifests(provider: &KubernetesProvider) -> Result<Provided, ProviderError> {
    let mut read = manifests::load(&provider.client().manifests).map_err(|source| {
        ProviderError::Manifests {
            provider: provider.name(),
            source,
        }
    })?;
    provider
        .watch_spec()
        .scope(&mut read.cluster)
        .map_err(|source| ProviderError::Selector {
            provider: provider.name(),
            source,
        })?;
    Ok(provider.provided(&read.cluster, read.warnings))
}

/// Runs `provider` until the supervisor goes away: its manifests, watched, or its
/// API server's objects.
pub(crate) fn watch_kubernetes(
    provider: KubernetesProvider,
    throttle: Duration,
    updates: mpsc::Sender<ProviderUpdate>,
) -> JoinHandle<()> {
    let throttle = throttle.max(provider.client().throttle);
    tokio::spawn(async move {
        if provider.client().manifests.is_empty() {
            from_api_server(provider, throttle, updates).await;
        } else {
            from_manifests(provider, throttle, updates).await;
        }
    })
}

async fn from_manifests(
    provider: KubernetesProvider,
    throttle: Duration,
    updates: mpsc::Sender<ProviderUpdate>,
) {
    let (changed_tx, mut changed) = mpsc::channel::<()>(1);
    for path in provider.client().manifests.clone() {
        let mut watch = match Watch::new(&path, throttle) {
            Ok(watch) => watch,
            Err(e) => {
                error!(provider = provider.name(), path = %path.display(), error = %e, "cannot watch manifests; changes will not be seen");
                continue;
            }
        };
        let changed_tx = changed_tx.clone();
        tokio::spawn(async move {
            while watch.changed().await {
                if changed_tx.send(()).await.is_err() {
                    return;
                }
            }
        });
    }
    drop(changed_tx);
    while changed.recv().await.is_some() {
        let task_provider = provider.clone();
        let result = crate::control::low_priority(move || load_manifests(&task_provider)).await;
        let Some(result) = result else {
            error!(provider = provider.name(), "manifest load task failed");
            continue;
        };
        let update = ProviderUpdate {
            provider: provider.name(),
            result: result.map_err(|e| e.to_string()),
        };
        if updates.send(update).await.is_err() {
            return;
        }
    }
}

async fn from_api_server(
    provider: KubernetesProvider,
    throttle: Duration,
    updates: mpsc::Sender<ProviderUpdate>,
) {
    let mut retry = Duration::from_secs(1);
    let client = loop {
        match watch::client(provider.client()).await {
            Ok(client) => break client,
            Err(e) => {
                error!(provider = provider.name(), error = %e, retry_in_s = retry.as_secs(), "cannot reach the Kubernetes API");
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(Duration::from_secs(30));
            }
        }
    };
    let mut cluster_watch = ClusterWatch::start(client.clone(), &provider.watch_spec());
    loop {
        let cluster = cluster_watch.changed(throttle).await;
        info!(
            provider = provider.name(),
            objects = cluster.len(),
            "kubernetes objects changed"
        );
        let task_provider = provider.clone();
        let task_cluster = cluster.clone();
        let Some(provided) =
            crate::control::low_priority(move || task_provider.provided(&task_cluster, Vec::new()))
                .await
        else {
            error!(provider = provider.name(), "translation task failed");
            continue;
        };
        let update = ProviderUpdate {
            provider: provider.name(),
            result: Ok(provided),
        };
        if updates.send(update).await.is_err() {
            return;
        }
        if let KubernetesProvider::Ingress(spec) = &provider {
            publish_status(&client, spec, &cluster).await;
        }
    }
}

/// Writes the configured address into the status of every served Ingress
/// (`ingressEndpoint`), where it differs.
async fn publish_status(client: &kube::Client, spec: &KubernetesIngressSpec, cluster: &Cluster) {
    let Some(endpoint) = &spec.ingress_endpoint else {
        return;
    };
    let Some(status) = ingress::status::load_balancer_status(endpoint, cluster) else {
        return;
    };
    let served = ingress::served(cluster, spec);
    if let Err(e) = ingress::status::publish(client, &served, &status).await {
        warn!(provider = ingress::PROVIDER, error = %e, "cannot update Ingress status");
    }
}
