//! The CRD provider's translation (`pkg/provider/kubernetes/crd`): IngressRoutes,
//! Middlewares, TraefikServices, TLSOptions, TLSStores and ServersTransports,
//! with the Services, EndpointSlices and Secrets they name, into routing
//! configuration.

mod middlewares;
mod routes;
mod services;
pub mod spec;
mod tls;
mod transports;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use portico_config::model::KubernetesCrdSpec;

use crate::{
    backends::{BackendOptions, Backends},
    cluster::{Cluster, Kind},
    translation::Translation,
};

/// The provider name qualifying what this translation produces.
pub const PROVIDER: &str = "kubernetescrd";

/// The annotation selecting an ingress class.
pub const INGRESS_CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// Translates every Traefik object of `cluster` as Traefik's CRD provider does.
/// Objects that cannot be translated are reported in
/// [`Translation::failed`] against the names they would have produced.
pub fn translate(cluster: &Cluster, spec: &KubernetesCrdSpec) -> Translation {
    let backends = Backends::new(
        cluster,
        BackendOptions {
            allow_external_name: spec.allow_external_name_services,
            allow_empty: spec.allow_empty_services,
            native_lb_by_default: spec.native_lb_by_default,
        },
    );
    let mut builder = Builder {
        cluster,
        spec,
        backends,
        out: Translation::default(),
    };
    builder.out.warnings.extend(cluster.shadowed());
    for kind in [
        Kind::IngressRouteTcp,
        Kind::IngressRouteUdp,
        Kind::MiddlewareTcp,
        Kind::ServersTransportTcp,
    ] {
        for object in cluster.typed::<serde_json::Value>(kind) {
            builder.out.warnings.push(format!(
                "{kind} {}: TCP and UDP routing is not supported by this Portico version; ignored",
                object.key
            ));
        }
    }
    builder.middlewares();
    builder.traefik_services();
    builder.servers_transports();
    builder.tls_options();
    builder.tls_stores();
    builder.ingress_routes();
    builder.out
}

/// One translation in progress.
struct Builder<'a> {
    cluster: &'a Cluster,
    spec: &'a KubernetesCrdSpec,
    backends: Backends<'a>,
    out: Translation,
}

impl Builder<'_> {
    /// Whether an object is for this provider's ingress class.
    fn in_class(&self, meta: &ObjectMeta, class_name: Option<&str>) -> bool {
        let Some(wanted) = &self.spec.ingress_class else {
            return true;
        };
        let annotation = meta
            .annotations
            .as_ref()
            .and_then(|a| a.get(INGRESS_CLASS_ANNOTATION))
            .map(String::as_str);
        annotation.or(class_name) == Some(wanted.as_str())
    }

    /// Whether `target` may be referenced from `parent`.
    fn namespace_allowed(&self, parent: &str, target: &str) -> bool {
        self.spec.allow_cross_namespace || parent == target
    }
}

#[cfg(test)]
mod tests;
