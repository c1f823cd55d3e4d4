//! The Ingress provider's translation (`pkg/provider/kubernetes/ingress`):
//! `networking.k8s.io/v1` Ingresses of Traefik's class, with the Services,
//! EndpointSlices and Secrets they name, into routing configuration.
//!
//! As in Traefik:
//!
//! - each path of each rule gives a router named
//!   `normalize(<namespace>-<ingress>-<host><path>)` (with a hash of the rule
//!   appended when two paths of an Ingress give the same name) and a service
//!   named `normalize(<namespace>-<service>-<port>)`;
//! - an Ingress without rules but with `spec.defaultBackend` gives the
//!   catch-all `default-router` (lowest priority) and `default-backend`; the
//!   first such Ingress (by namespace and name) wins;
//! - `spec.tls[].secretName` only loads certificates: routers use TLS when the
//!   `router.tls*` annotations say so;
//! - router settings come from the Ingress's `traefik.ingress.kubernetes.io/router.*`
//!   annotations (`entrypoints`, `middlewares`, `priority`, `rulesyntax`,
//!   `pathmatcher`, `tls`, `tls.certresolver`, `tls.domains.<n>.main|sans`,
//!   `tls.options`, `observability.*`), load-balancer settings from the
//!   Service's `service.*` ones (`serversscheme`, `serverstransport`,
//!   `passhostheader`, `nativelb`, `sticky.cookie[.name|.secure|.httponly|
//!   .samesite|.maxage|.path|.domain]`); names are used as given.
//!
//! A path whose Service cannot be used disables its router only; bad router
//! annotations disable every router of the Ingress; a missing TLS Secret is a
//! warning (Traefik serves the routers with its default certificate).
//!
//! # Example
//!
//! ```
//! use portico_config::model::KubernetesIngressSpec;
//! use portico_provider_kubernetes::{cluster::Cluster, ingress};
//!
//! let mut cluster = Cluster::default();
//! for doc in [
//!     serde_json::json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
//!         "metadata": {"name": "shop", "namespace": "default"},
//!         "spec": {"rules": [{"host": "shop.test", "http": {"paths": [{"path": "/cart",
//!             "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}),
//!     serde_json::json!({"apiVersion": "v1", "kind": "Service",
//!         "metadata": {"name": "web", "namespace": "default",
//!             "annotations": {"traefik.ingress.kubernetes.io/service.nativelb": "true"}},
//!         "spec": {"clusterIP": "10.0.0.9", "ports": [{"port": 80}]}}),
//! ] {
//!     cluster.apply_value(doc).unwrap();
//! }
//! let t = ingress::translate(&cluster, &KubernetesIngressSpec::default());
//! let http = t.config.http.unwrap();
//! let router = &http.routers.unwrap()["default-shop-shop-test-cart"];
//! assert_eq!(router.rule.as_deref(), Some("Host(`shop.test`) && PathPrefix(`/cart`)"));
//! assert_eq!(router.service.as_deref(), Some("default-web-80"));
//! let lb = http.services.unwrap()["default-web-80"].load_balancer.clone().unwrap();
//! assert_eq!(lb.servers.unwrap()[0].url.as_deref(), Some("http://10.0.0.9:80"));
//! ```

mod annotations;
mod classes;
mod router;
mod rules;
pub mod status;

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::Ingress;
use portico_config::{model::KubernetesIngressSpec, raw::routing::TlsCertificate};

pub use self::classes::{CLASS_ANNOTATION, CONTROLLER, DEFAULT_CLASS_ANNOTATION};
use self::{annotations::RouterAnnotations, classes::Classes};
use crate::{
    backends::{BackendOptions, Backends},
    cluster::{Cluster, Kind, ObjectKey},
    translation::Translation,
};

/// The provider name qualifying what this translation produces.
pub const PROVIDER: &str = "kubernetes";

/// The router of the default backend.
pub const DEFAULT_ROUTER: &str = "default-router";

/// The service of the default backend.
pub const DEFAULT_BACKEND: &str = "default-backend";

/// Translates the served Ingresses of `cluster` as Traefik's Ingress provider
/// does. What cannot be translated is reported in [`Translation::failed`]
/// against the router names it would have produced.
pub fn translate(cluster: &Cluster, spec: &KubernetesIngressSpec) -> Translation {
    let mut out = Translation::default();
    let classes = Classes::new(cluster, spec, &mut out.warnings);
    let mut builder = Builder {
        spec,
        backends: Backends::new(
            cluster,
            BackendOptions {
                allow_external_name: spec.allow_external_name_services,
                allow_empty: spec.allow_empty_services,
                native_lb_by_default: spec.native_lb_by_default,
            },
        ),
        out,
        certificates: BTreeMap::new(),
        default_failures: Vec::new(),
    };
    for (key, ingress) in ingresses(cluster, spec, &classes, &mut builder.out.warnings) {
        builder.ingress(&key, &ingress);
    }
    builder.finish()
}

/// The served Ingresses that have rules and readable router annotations, as
/// `(namespace, name)`: those whose status Traefik publishes when
/// `ingressEndpoint` is set.
pub fn served(cluster: &Cluster, spec: &KubernetesIngressSpec) -> Vec<(String, String)> {
    let mut ignored = Vec::new();
    let classes = Classes::new(cluster, spec, &mut ignored);
    ingresses(cluster, spec, &classes, &mut ignored)
        .into_iter()
        .filter(|(_, i)| {
            let has_rules = i
                .spec
                .as_ref()
                .is_some_and(|s| s.rules.as_ref().is_some_and(|r| !r.is_empty()));
            has_rules && RouterAnnotations::parse(i.metadata.annotations.as_ref()).is_ok()
        })
        .map(|(key, _)| (key.namespace, key.name))
        .collect()
}

/// The served Ingresses, by key; the unreadable ones are reported.
fn ingresses(
    cluster: &Cluster,
    spec: &KubernetesIngressSpec,
    classes: &Classes,
    warnings: &mut Vec<String>,
) -> Vec<(ObjectKey, Ingress)> {
    let mut out = Vec::new();
    for typed in cluster.typed::<Ingress>(Kind::Ingress) {
        match typed.object {
            Ok(ingress) if classes.serves(spec, &typed.key.namespace, &ingress) => {
                out.push((typed.key, ingress));
            }
            Ok(_) => {}
            Err(e) => warnings.push(format!("ingress {}: {e}", typed.key)),
        }
    }
    out
}

/// One translation in progress.
struct Builder<'a> {
    spec: &'a KubernetesIngressSpec,
    backends: Backends<'a>,
    out: Translation,
    /// Certificates by `<namespace>-<secret>`, in that order in the output.
    certificates: BTreeMap<String, TlsCertificate>,
    /// Why an Ingress could not define the default router.
    default_failures: Vec<String>,
}

// === impl Builder ===

impl Builder<'_> {
    /// Loads the certificates of `spec.tls`; a Secret that cannot be read is a
    /// warning, as in Traefik.
    fn certificates(&mut self, key: &ObjectKey, ingress: &Ingress) {
        let tls = ingress.spec.as_ref().and_then(|s| s.tls.as_ref());
        for entry in tls.into_iter().flatten() {
            let Some(secret) = entry.secret_name.as_deref().filter(|s| !s.is_empty()) else {
                continue;
            };
            let id = format!("{}-{secret}", key.namespace);
            if self.certificates.contains_key(&id) {
                continue;
            }
            match self.backends.tls_pair(&key.namespace, secret) {
                Ok((cert, key_pem)) => {
                    self.certificates.insert(
                        id,
                        TlsCertificate {
                            cert_file: Some(cert),
                            key_file: Some(key_pem),
                            stores: None,
                        },
                    );
                }
                Err(e) => self.out.warnings.push(format!("ingress {key}: tls: {e}")),
            }
        }
    }

    /// Moves the certificates into the configuration and reports the default
    /// router's failures, unless another Ingress defined it.
    fn finish(mut self) -> Translation {
        let defined = self.has_router(DEFAULT_ROUTER);
        if !self.certificates.is_empty() {
            self.out
                .tls()
                .certificates
                .get_or_insert_with(Vec::new)
                .extend(self.certificates.into_values());
        }
        for reason in self.default_failures {
            if defined {
                self.out.warnings.push(reason);
            } else {
                self.out.fail_router(DEFAULT_ROUTER, reason);
            }
        }
        self.out
    }

    fn has_router(&self, name: &str) -> bool {
        self.out
            .config
            .http
            .as_ref()
            .and_then(|h| h.routers.as_ref())
            .is_some_and(|r| r.contains_key(name))
    }
}

#[cfg(test)]
mod tests;
