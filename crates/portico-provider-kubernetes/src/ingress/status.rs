//! The address written into served Ingresses' `status.loadBalancer`
//! (`ingress/kubernetes.go updateIngressStatus`), from `ingressEndpoint`.
//!
//! [`load_balancer_status`] decides what to publish from the settings and the
//! cluster; [`publish`] writes it to the Ingresses whose status differs.
//!
//! # Example
//!
//! ```
//! use portico_config::model::IngressEndpointSpec;
//! use portico_provider_kubernetes::{cluster::Cluster, ingress::status};
//!
//! let spec = IngressEndpointSpec { hostname: Some("lb.example.com".into()), ..Default::default() };
//! let published = status::load_balancer_status(&spec, &Cluster::default()).unwrap();
//! assert_eq!(published[0].hostname.as_deref(), Some("lb.example.com"));
//! assert_eq!(published[0].ip, None);
//! ```

use k8s_openapi::api::{
    core::v1::Service,
    networking::v1::{Ingress, IngressLoadBalancerIngress, IngressPortStatus},
};
use kube::{
    Api,
    api::{Patch, PatchParams},
};
use portico_config::model::IngressEndpointSpec;

use crate::cluster::{Cluster, Kind};

/// What to publish: `ip` and `hostname` when no `publishedService` is set
/// (`None` when both are empty); else the `publishedService`'s
/// `status.loadBalancer.ingress`, or for a Service without one, its
/// `spec.externalIPs`. `None` also when the Service is missing or
/// `publishedService` is not `namespace/name`.
pub fn load_balancer_status(
    spec: &IngressEndpointSpec,
    cluster: &Cluster,
) -> Option<Vec<IngressLoadBalancerIngress>> {
    let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let Some(published) = non_empty(&spec.published_service) else {
        let (ip, hostname) = (non_empty(&spec.ip), non_empty(&spec.hostname));
        if ip.is_none() && hostname.is_none() {
            return None;
        }
        return Some(vec![IngressLoadBalancerIngress {
            ip,
            hostname,
            ports: None,
        }]);
    };
    let (namespace, name) = published.split_once('/')?;
    if namespace.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    let service = cluster
        .get::<Service>(Kind::Service, namespace, name)?
        .ok()?;
    let balanced = service
        .status
        .and_then(|s| s.load_balancer)
        .and_then(|lb| lb.ingress);
    if let Some(points) = balanced {
        return Some(points.into_iter().map(convert).collect());
    }
    let external = service
        .spec
        .and_then(|s| s.external_ips)
        .filter(|ips| !ips.is_empty())?;
    Some(
        external
            .into_iter()
            .map(|ip| IngressLoadBalancerIngress {
                ip: Some(ip),
                ..IngressLoadBalancerIngress::default()
            })
            .collect(),
    )
}

/// Whether `ingress`'s published status is not `status`.
pub fn needs_update(ingress: &Ingress, status: &[IngressLoadBalancerIngress]) -> bool {
    let current = ingress
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_deref())
        .unwrap_or_default();
    current != status
}

/// Writes `status` into `status.loadBalancer.ingress` of each Ingress
/// (`namespace`, `name`) whose status differs, with a merge patch of the
/// status subresource. Ingresses deleted meanwhile are skipped; every Ingress
/// is tried, and the first error is returned.
pub async fn publish(
    client: &kube::Client,
    ingresses: &[(String, String)],
    status: &[IngressLoadBalancerIngress],
) -> Result<(), kube::Error> {
    let patch = Patch::Merge(serde_json::json!({
        "status": {"loadBalancer": {"ingress": status}}
    }));
    let mut first_error = None;
    for (namespace, name) in ingresses {
        let api: Api<Ingress> = Api::namespaced(client.clone(), namespace);
        let current = match api.get_opt(name).await {
            Ok(Some(current)) => current,
            Ok(None) => continue,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        if !needs_update(&current, status) {
            continue;
        }
        match api
            .patch_status(name, &PatchParams::default(), &patch)
            .await
        {
            Ok(_) => tracing::info!(%namespace, %name, "updated ingress status"),
            Err(kube::Error::Api(s)) if s.is_not_found() => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// A Service's load-balancer point as an Ingress's.
fn convert(point: k8s_openapi::api::core::v1::LoadBalancerIngress) -> IngressLoadBalancerIngress {
    IngressLoadBalancerIngress {
        hostname: point.hostname,
        ip: point.ip,
        ports: point.ports.map(|ports| {
            ports
                .into_iter()
                .map(|p| IngressPortStatus {
                    error: p.error,
                    port: p.port,
                    protocol: p.protocol,
                })
                .collect()
        }),
    }
}
