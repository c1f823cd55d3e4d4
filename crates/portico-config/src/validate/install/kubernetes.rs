//! `providers.kubernetesCRD` and `providers.kubernetesIngress`.

use std::path::PathBuf;

use super::Validator;
use crate::{
    model::{IngressEndpointSpec, KubernetesClientSpec, KubernetesCrdSpec, KubernetesIngressSpec},
    raw::{self, install as ri},
};

/// The connection and watch settings both providers share, as written.
struct RawClient<'a> {
    endpoint: &'a Option<String>,
    token: &'a Option<String>,
    ca: &'a Option<String>,
    namespaces: &'a Option<Vec<String>>,
    label_selector: &'a Option<String>,
    throttle: Option<&'a raw::Duration>,
    manifests: &'a Option<Vec<String>>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.trim().is_empty())
}

impl Validator {
    fn kubernetes_client(&mut self, base: &str, raw: RawClient<'_>) -> KubernetesClientSpec {
        let endpoint = nonempty(raw.endpoint);
        if let Some(url) = &endpoint
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            self.error(
                format!("{base}.endpoint"),
                format!("{url:?} is not an http:// or https:// URL"),
            );
        }
        let manifests: Vec<PathBuf> = raw
            .manifests
            .iter()
            .flatten()
            .filter(|p| !p.trim().is_empty())
            .map(PathBuf::from)
            .collect();
        if raw.manifests.is_some() && manifests.is_empty() {
            self.error(format!("{base}.manifests"), "lists no file or directory");
        }
        KubernetesClientSpec {
            endpoint,
            token: nonempty(raw.token),
            cert_auth_file_path: nonempty(raw.ca).map(PathBuf::from),
            namespaces: raw
                .namespaces
                .iter()
                .flatten()
                .filter(|n| !n.is_empty())
                .cloned()
                .collect(),
            label_selector: nonempty(raw.label_selector),
            throttle: self
                .timeout(&format!("{base}.throttleDuration"), raw.throttle)
                .flatten()
                .unwrap_or_default(),
            manifests,
        }
    }

    pub(super) fn kubernetes_crd(&mut self, p: &ri::KubernetesCrdProvider) -> KubernetesCrdSpec {
        let base = "providers.kubernetesCRD";
        if p.cross_provider_namespaces.is_some() {
            self.warn(
                &format!("{base}.crossProviderNamespaces"),
                "accepted but not applied: references to other providers are always allowed",
            );
        }
        let raw = RawClient {
            endpoint: &p.endpoint,
            token: &p.token,
            ca: &p.cert_auth_file_path,
            namespaces: &p.namespaces,
            label_selector: &p.label_selector,
            throttle: p.throttle_duration.as_ref(),
            manifests: &p.manifests,
        };
        KubernetesCrdSpec {
            client: self.kubernetes_client(base, raw),
            ingress_class: nonempty(&p.ingress_class),
            allow_cross_namespace: p.allow_cross_namespace.unwrap_or(false),
            allow_external_name_services: p.allow_external_name_services.unwrap_or(false),
            allow_empty_services: p.allow_empty_services.unwrap_or(false),
            native_lb_by_default: p.native_lb_by_default.unwrap_or(false),
        }
    }

    pub(super) fn kubernetes_ingress(
        &mut self,
        p: &ri::KubernetesIngressProvider,
    ) -> KubernetesIngressSpec {
        let base = "providers.kubernetesIngress";
        let ingress_endpoint = p.ingress_endpoint.as_ref().map(|e| {
            let published_service = nonempty(&e.published_service);
            if let Some(s) = &published_service
                && s.split('/').filter(|p| !p.is_empty()).count() != 2
            {
                self.error(
                    format!("{base}.ingressEndpoint.publishedService"),
                    format!("{s:?} is not namespace/name"),
                );
            }
            IngressEndpointSpec {
                ip: nonempty(&e.ip),
                hostname: nonempty(&e.hostname),
                published_service,
            }
        });
        let raw = RawClient {
            endpoint: &p.endpoint,
            token: &p.token,
            ca: &p.cert_auth_file_path,
            namespaces: &p.namespaces,
            label_selector: &p.label_selector,
            throttle: p.throttle_duration.as_ref(),
            manifests: &p.manifests,
        };
        KubernetesIngressSpec {
            client: self.kubernetes_client(base, raw),
            ingress_class: nonempty(&p.ingress_class),
            ingress_endpoint,
            allow_empty_services: p.allow_empty_services.unwrap_or(false),
            allow_external_name_services: p.allow_external_name_services.unwrap_or(false),
            disable_ingress_class_lookup: p.disable_ingress_class_lookup.unwrap_or(false),
            native_lb_by_default: p.native_lb_by_default.unwrap_or(false),
            strict_prefix_matching: p.strict_prefix_matching.unwrap_or(false),
        }
    }
}
