//! Which Ingresses the provider serves (`ingress/kubernetes.go
//! shouldProcessIngress`): by IngressClass, by the `kubernetes.io/ingress.class`
//! annotation, and by namespace.

use std::collections::BTreeSet;

use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use portico_config::model::KubernetesIngressSpec;

use crate::cluster::{Cluster, Kind};

/// The `spec.controller` of Traefik's IngressClasses.
pub const CONTROLLER: &str = "traefik.io/ingress-controller";

/// The annotation naming an Ingress's class (before `spec.ingressClassName`).
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// The annotation marking the cluster's default IngressClass.
pub const DEFAULT_CLASS_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";

/// The annotation value served when no `ingressClass` is configured.
const DEFAULT_CLASS: &str = "traefik";

/// The IngressClasses this provider serves, read once per translation.
#[derive(Debug, Default)]
pub(super) struct Classes {
    /// Names of the IngressClasses of Traefik's controller (only the configured
    /// `ingressClass` when set).
    names: BTreeSet<String>,
    /// Whether the cluster's one default IngressClass is among `names`.
    default_is_ours: bool,
}

// === impl Classes ===

impl Classes {
    /// Reads the IngressClasses of `cluster` (none with
    /// `disableIngressClassLookup`); unreadable ones are reported in `warnings`.
    pub(super) fn new(
        cluster: &Cluster,
        spec: &KubernetesIngressSpec,
        warnings: &mut Vec<String>,
    ) -> Classes {
        if spec.disable_ingress_class_lookup {
            return Classes::default();
        }
        let wanted = configured(spec);
        let mut names = BTreeSet::new();
        let mut defaults = Vec::new();
        for typed in cluster.typed::<IngressClass>(Kind::IngressClass) {
            let class = match typed.object {
                Ok(class) => class,
                Err(e) => {
                    warnings.push(format!("ingressclass {}: {e}", typed.key));
                    continue;
                }
            };
            let name = class.metadata.name.clone().unwrap_or_default();
            let is_default = class
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
                .is_some_and(|v| v == "true");
            if is_default {
                defaults.push(name.clone());
            }
            let controller = class.spec.as_ref().and_then(|s| s.controller.as_deref());
            if controller == Some(CONTROLLER) && (wanted.is_empty() || wanted == name) {
                names.insert(name);
            }
        }
        let default_is_ours = matches!(defaults.as_slice(), [one] if names.contains(one));
        Classes {
            names,
            default_is_ours,
        }
    }

    /// Whether `ingress` (in `namespace`) is served.
    ///
    /// - `spec.ingressClassName` set: when it names one of our IngressClasses.
    /// - else the class annotation equals the configured `ingressClass`
    ///   (an unset annotation equals an unset `ingressClass`), or it is
    ///   `traefik` and no `ingressClass` is configured.
    /// - else, an Ingress with no class at all is served when the cluster's
    ///   default IngressClass is ours: what the API server's admission would
    ///   have written into `ingressClassName` (manifests have no admission).
    pub(super) fn serves(
        &self,
        spec: &KubernetesIngressSpec,
        namespace: &str,
        ingress: &Ingress,
    ) -> bool {
        let namespaces = &spec.client.namespaces;
        if !namespaces.is_empty() && !namespaces.iter().any(|n| n == namespace) {
            return false;
        }
        if let Some(class) = ingress
            .spec
            .as_ref()
            .and_then(|s| s.ingress_class_name.as_ref())
        {
            return self.names.contains(class);
        }
        let annotation = ingress
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(CLASS_ANNOTATION))
            .map_or("", String::as_str);
        let wanted = configured(spec);
        wanted == annotation
            || (wanted.is_empty() && annotation == DEFAULT_CLASS)
            || (annotation.is_empty() && self.default_is_ours)
    }
}

/// The configured `ingressClass`, empty when unset.
fn configured(spec: &KubernetesIngressSpec) -> &str {
    spec.ingress_class.as_deref().unwrap_or_default()
}
