//! The Kubernetes providers' settings (`providers.kubernetesCRD`,
//! `providers.kubernetesIngress`), validated.

use std::{path::PathBuf, time::Duration};

/// How to reach the API server and what to watch, shared by both providers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubernetesClientSpec {
    /// `endpoint`: the API server URL; `None` means in-cluster settings, else
    /// the kubeconfig (`KUBECONFIG`, `~/.kube/config`).
    pub endpoint: Option<String>,
    /// `token`: a bearer token.
    pub token: Option<String>,
    /// `certAuthFilePath`: the API server's CA certificate.
    pub cert_auth_file_path: Option<PathBuf>,
    /// `namespaces`: empty means every namespace.
    pub namespaces: Vec<String>,
    /// `labelSelector` of the watched objects.
    pub label_selector: Option<String>,
    /// `throttleDuration`: least time between two updates (0: none).
    pub throttle: Duration,
    /// Portico's `manifests`: read objects from these files or directories
    /// instead of an API server.
    pub manifests: Vec<PathBuf>,
}

/// `providers.kubernetesCRD`.
///
/// # Example
///
/// ```
/// use portico_config::model::KubernetesCrdSpec;
///
/// let spec = KubernetesCrdSpec::default();
/// assert!(!spec.allow_cross_namespace);
/// assert!(spec.client.namespaces.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubernetesCrdSpec {
    /// Connection and watch settings.
    pub client: KubernetesClientSpec,
    /// `ingressClass`: only objects with this `kubernetes.io/ingress.class`
    /// annotation (or `spec.ingressClassName`).
    pub ingress_class: Option<String>,
    /// `allowCrossNamespace` (default false).
    pub allow_cross_namespace: bool,
    /// `allowExternalNameServices` (default false).
    pub allow_external_name_services: bool,
    /// `allowEmptyServices` (default false).
    pub allow_empty_services: bool,
    /// `nativeLBByDefault` (default false).
    pub native_lb_by_default: bool,
}

/// Where the Ingress provider publishes its address (`ingressEndpoint`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngressEndpointSpec {
    /// `ip`.
    pub ip: Option<String>,
    /// `hostname`.
    pub hostname: Option<String>,
    /// `publishedService`: `namespace/name` of a Service whose load-balancer
    /// status is copied.
    pub published_service: Option<String>,
}

/// `providers.kubernetesIngress`.
///
/// # Example
///
/// ```
/// use portico_config::model::KubernetesIngressSpec;
///
/// assert!(!KubernetesIngressSpec::default().strict_prefix_matching);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubernetesIngressSpec {
    /// Connection and watch settings.
    pub client: KubernetesClientSpec,
    /// `ingressClass`: the class served (else every Ingress whose class has the
    /// controller `traefik.io/ingress-controller`, and those without class).
    pub ingress_class: Option<String>,
    /// `ingressEndpoint`: when set, Ingress statuses are updated.
    pub ingress_endpoint: Option<IngressEndpointSpec>,
    /// `allowEmptyServices` (default false).
    pub allow_empty_services: bool,
    /// `allowExternalNameServices` (default false).
    pub allow_external_name_services: bool,
    /// `disableIngressClassLookup` (default false).
    pub disable_ingress_class_lookup: bool,
    /// `nativeLBByDefault` (default false).
    pub native_lb_by_default: bool,
    /// `strictPrefixMatching` (default false).
    pub strict_prefix_matching: bool,
}
