//! Providers: where routing configuration comes from (`static.Providers`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::raw::{ClientTls, Duration, Opaque};
/// Routing configuration sources (`static.Providers`). A provider key that is
/// present (even as `{}` or a bare flag) is enabled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Providers {
    /// Minimum time between two applied configurations (default 2s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub providers_throttle_duration: Option<Duration>,
    /// Provider order used to break ties between equal routers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precedence: Option<Vec<String>>,
    /// Docker provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docker: Option<Opaque>,
    /// Docker Swarm provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swarm: Option<Opaque>,
    /// File provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileProvider>,
    /// Kubernetes CRD provider (`IngressRoute`, ...).
    #[serde(rename = "kubernetesCRD", skip_serializing_if = "Option::is_none")]
    pub kubernetes_crd: Option<KubernetesCrdProvider>,
    /// Kubernetes Ingress provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_ingress: Option<KubernetesIngressProvider>,
    /// Kubernetes Gateway API provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_gateway: Option<Opaque>,
    /// Kubernetes ingress-nginx provider: not supported by Portico.
    #[serde(
        rename = "kubernetesIngressNGINX",
        skip_serializing_if = "Option::is_none"
    )]
    pub kubernetes_ingress_nginx: Option<Opaque>,
    /// Knative provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knative: Option<Opaque>,
    /// REST provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest: Option<Opaque>,
    /// Consul Catalog provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consul_catalog: Option<Opaque>,
    /// Nomad provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nomad: Option<Opaque>,
    /// Amazon ECS provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecs: Option<Opaque>,
    /// Consul KV provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consul: Option<ConsulProvider>,
    /// etcd KV provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etcd: Option<EtcdProvider>,
    /// ZooKeeper KV provider: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zoo_keeper: Option<Opaque>,
    /// Redis KV provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<RedisProvider>,
    /// HTTP polling provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpProvider>,
    /// Provider plugins, by name: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<BTreeMap<String, Opaque>>,
}

/// The file provider (`file.Provider`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileProvider {
    /// Directory whose files are all loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    /// Reload on change (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watch: Option<bool>,
    /// Single file to load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Log the file after Go template rendering (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debug_log_generated_template: Option<bool>,
}

/// The Kubernetes CRD provider (`crd.Provider`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubernetesCrdProvider {
    /// API server URL (default: in-cluster).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Bearer token: a path or the token itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// CA certificate of the API server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_auth_file_path: Option<String>,
    /// Namespaces to watch (default all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<Vec<String>>,
    /// Allow references across namespaces (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_cross_namespace: Option<bool>,
    /// Allow `ExternalName` services (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_external_name_services: Option<bool>,
    /// Label selector of watched objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// Only objects with this `kubernetes.io/ingress.class` annotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_class: Option<String>,
    /// Minimum time between two updates from the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle_duration: Option<Duration>,
    /// Keep services without endpoints (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_empty_services: Option<bool>,
    /// Use the service's cluster IP instead of endpoints (default false).
    #[serde(rename = "nativeLBByDefault", skip_serializing_if = "Option::is_none")]
    pub native_lb_by_default: Option<bool>,
    /// Do not watch cluster-scoped resources (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_cluster_scope_resources: Option<bool>,
    /// Namespaces allowed to reference other providers' objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_provider_namespaces: Option<Vec<String>>,
    /// Portico: read the objects from these manifest files or directories
    /// instead of an API server (watched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<String>>,
}

/// The Kubernetes Ingress provider (`ingress.Provider`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubernetesIngressProvider {
    /// API server URL (default: in-cluster).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Bearer token: a path or the token itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// CA certificate of the API server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_auth_file_path: Option<String>,
    /// Namespaces to watch (default all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<Vec<String>>,
    /// Label selector of watched ingresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// Ingress class to serve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_class: Option<String>,
    /// Address published in the ingresses' status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_endpoint: Option<IngressEndpoint>,
    /// Minimum time between two updates from the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle_duration: Option<Duration>,
    /// Keep services without endpoints (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_empty_services: Option<bool>,
    /// Allow `ExternalName` services (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_external_name_services: Option<bool>,
    /// Do not look up `IngressClass` objects (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_ingress_class_lookup: Option<bool>,
    /// Do not watch cluster-scoped resources (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_cluster_scope_resources: Option<bool>,
    /// Use the service's cluster IP instead of endpoints (default false).
    #[serde(rename = "nativeLBByDefault", skip_serializing_if = "Option::is_none")]
    pub native_lb_by_default: Option<bool>,
    /// `Prefix` paths match whole path segments only (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict_prefix_matching: Option<bool>,
    /// Namespaces allowed to reference other providers' objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_provider_namespaces: Option<Vec<String>>,
    /// Portico: read the objects from these manifest files or directories
    /// instead of an API server (watched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<String>>,
}

/// Address published in ingress status (`ingress.EndpointIngress`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressEndpoint {
    /// IP address to publish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Hostname to publish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `namespace/name` of a service whose address is published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_service: Option<String>,
}

/// The Redis KV provider (`redis.Provider`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RedisProvider {
    /// Root key of the configuration (default `traefik`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_key: Option<String>,
    /// Redis addresses (default `127.0.0.1:6379`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
    /// TLS towards Redis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
    /// Redis user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Redis password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Database number (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db: Option<i64>,
    /// Redis Sentinel settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentinel: Option<RedisSentinel>,
}

/// Redis Sentinel settings (`redis.Sentinel`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RedisSentinel {
    /// Name of the monitored master.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_name: Option<String>,
    /// Sentinel user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Sentinel password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Route reads to the closest node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_strategy: Option<bool>,
    /// Route reads to a random node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub random_strategy: Option<bool>,
    /// Route reads to replicas only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_strategy: Option<bool>,
    /// Use replicas disconnected from the master.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_disconnected_replicas: Option<bool>,
}

/// The etcd KV provider (`etcd.Provider`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EtcdProvider {
    /// Root key of the configuration (default `traefik`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_key: Option<String>,
    /// etcd addresses (default `127.0.0.1:2379`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
    /// TLS towards etcd.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
    /// etcd user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// etcd password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// The Consul KV provider (`consul.ProviderBuilder`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConsulProvider {
    /// Root key of the configuration (default `traefik`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_key: Option<String>,
    /// Consul addresses (default `127.0.0.1:8500`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
    /// ACL token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// TLS towards Consul.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
    /// Consul Enterprise namespaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<Vec<String>>,
}

/// The HTTP polling provider (`http.Provider`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpProvider {
    /// URL returning the routing configuration as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Time between two polls (default 5s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<Duration>,
    /// Timeout of a poll (default 5s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_timeout: Option<Duration>,
    /// Headers sent with each poll, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// TLS towards the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
    /// Largest accepted response body in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_response_body_size: Option<i64>,
}
