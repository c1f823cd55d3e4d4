//! Traefik's custom resources as their manifests spell them
//! (`pkg/provider/kubernetes/crd/traefikio/v1alpha1`). Fields shared with the
//! file provider's configuration reuse its types.

use k8s_openapi::apimachinery::pkg::{apis::meta::v1::ObjectMeta, util::intstr::IntOrString};
use portico_config::raw::{
    self, Domain, Observability,
    routing::{
        FailoverErrors, HealthCheck, PassiveHealthCheck, ResponseForwarding, ServerHealthCheck,
        Sticky,
    },
};
use serde::Deserialize;
use serde_json::Value;

/// A custom resource: metadata and spec.
#[derive(Clone, Debug, Deserialize)]
pub struct Object<S> {
    /// Name, namespace, labels, annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The resource's spec.
    pub spec: S,
}

/// `IngressRoute.spec`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressRouteSpec {
    /// Entrypoints the routes listen on (default: the default entrypoints).
    #[serde(default)]
    pub entry_points: Vec<String>,
    /// Only for providers configured with this ingress class.
    pub ingress_class_name: Option<String>,
    /// Gateway-style parents (accepted, not used).
    pub parent_refs: Option<Value>,
    /// The routes.
    pub routes: Vec<Route>,
    /// TLS for every route.
    pub tls: Option<IngressRouteTls>,
}

/// One route of an IngressRoute.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Route {
    /// The rule.
    #[serde(rename = "match")]
    pub rule: String,
    /// Always `Rule`.
    pub kind: Option<String>,
    /// Priority (default: the rule's length).
    pub priority: Option<i64>,
    /// `v2` or `v3`.
    pub syntax: Option<String>,
    /// Middlewares, in order.
    #[serde(default)]
    pub middlewares: Vec<ObjectRef>,
    /// Services; several make an implicit weighted service.
    #[serde(default)]
    pub services: Vec<WeightedServiceRef>,
    /// Logs, metrics and tracing switches.
    pub observability: Option<Observability>,
}

/// A reference to a Middleware, TLSOption or TLSStore.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ObjectRef {
    /// Name, or `name@provider`.
    pub name: String,
    /// Namespace (default: the referrer's).
    pub namespace: Option<String>,
}

/// `IngressRoute.spec.tls`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressRouteTls {
    /// Secret holding `tls.crt` and `tls.key`, in the IngressRoute's namespace.
    pub secret_name: Option<String>,
    /// TLS options.
    pub options: Option<ObjectRef>,
    /// Certificate store (only `default` exists).
    pub store: Option<ObjectRef>,
    /// ACME resolver.
    pub cert_resolver: Option<String>,
    /// Domains for the resolver.
    pub domains: Option<Vec<Domain>>,
}

/// A Kubernetes Service or a TraefikService, with the load-balancer settings
/// used when it is a Service (`LoadBalancerSpec`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRef {
    /// Name, or `name@provider` for a TraefikService.
    pub name: String,
    /// Namespace (default: the referrer's).
    pub namespace: Option<String>,
    /// `Service` (default) or `TraefikService`.
    pub kind: Option<String>,
    /// Port number or name (Services only).
    pub port: Option<IntOrString>,
    /// `http`, `https` or `h2c` (default: inferred from the port).
    pub scheme: Option<String>,
    /// `wrr` (default), `p2c`, or the deprecated `RoundRobin`.
    pub strategy: Option<String>,
    /// Forward the client's Host header (default true).
    pub pass_host_header: Option<bool>,
    /// Response flushing.
    pub response_forwarding: Option<ResponseForwarding>,
    /// A ServersTransport's name.
    pub servers_transport: Option<String>,
    /// Sticky sessions.
    pub sticky: Option<Sticky>,
    /// Active health checks.
    pub health_check: Option<ServerHealthCheck>,
    /// Passive health checks.
    pub passive_health_check: Option<PassiveHealthCheck>,
    /// Use the Service's cluster IP instead of its endpoints.
    #[serde(rename = "nativeLB")]
    pub native_lb: Option<bool>,
    /// Use node ports (not supported: refused).
    #[serde(rename = "nodePortLB")]
    pub node_port_lb: Option<bool>,
    /// Service-level middlewares (not supported: refused).
    pub middlewares: Option<Vec<ObjectRef>>,
}

/// A service reference with a weight.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightedServiceRef {
    /// The service.
    #[serde(flatten)]
    pub service: ServiceRef,
    /// Weight (default 1).
    pub weight: Option<i64>,
}

/// A mirror: a service and the share of requests it gets.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MirrorRef {
    /// The service.
    #[serde(flatten)]
    pub service: ServiceRef,
    /// Percent of requests mirrored.
    pub percent: Option<i64>,
}

/// `TraefikService.spec`: exactly one kind.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TraefikServiceSpec {
    /// Weighted round robin.
    pub weighted: Option<WeightedSpec>,
    /// Mirroring.
    pub mirroring: Option<MirroringSpec>,
    /// Highest random weight.
    pub highest_random_weight: Option<HighestRandomWeightSpec>,
    /// Failover.
    pub failover: Option<FailoverSpec>,
}

/// `weighted`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WeightedSpec {
    /// The services.
    #[serde(default)]
    pub services: Vec<WeightedServiceRef>,
    /// Sticky sessions across the services.
    pub sticky: Option<Sticky>,
    /// Health propagation.
    pub health_check: Option<HealthCheck>,
}

/// `highestRandomWeight`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HighestRandomWeightSpec {
    /// The services.
    #[serde(default)]
    pub services: Vec<WeightedServiceRef>,
    /// Health propagation.
    pub health_check: Option<HealthCheck>,
}

/// `mirroring`: the main service is flattened in.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MirroringSpec {
    /// The main service.
    #[serde(flatten)]
    pub service: ServiceRef,
    /// The mirrors.
    #[serde(default)]
    pub mirrors: Vec<MirrorRef>,
    /// Mirror request bodies (default true).
    pub mirror_body: Option<bool>,
    /// Largest body mirrored (default -1: no limit).
    pub max_body_size: Option<i64>,
    /// Weight when nested (ignored).
    pub weight: Option<i64>,
}

/// `failover`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FailoverSpec {
    /// The main service.
    pub service: ServiceRef,
    /// The fallback service.
    pub fallback: ServiceRef,
    /// Health propagation.
    pub health_check: Option<HealthCheck>,
    /// Status codes that trigger the fallback.
    pub errors: Option<FailoverErrors>,
}

/// `TLSOption.spec`: the file provider's options, with CA Secrets instead of CA files.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsOptionSpec {
    /// `minVersion`.
    pub min_version: Option<String>,
    /// `maxVersion`.
    pub max_version: Option<String>,
    /// `cipherSuites`.
    pub cipher_suites: Option<Vec<String>>,
    /// `curvePreferences`.
    pub curve_preferences: Option<Vec<String>>,
    /// `clientAuth`.
    pub client_auth: Option<ClientAuthSpec>,
    /// `sniStrict`.
    pub sni_strict: Option<bool>,
    /// `alpnProtocols`.
    pub alpn_protocols: Option<Vec<String>>,
    /// `disableSessionTickets`.
    pub disable_session_tickets: Option<bool>,
    /// `preferServerCipherSuites`.
    pub prefer_server_cipher_suites: Option<bool>,
}

/// `TLSOption.spec.clientAuth`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientAuthSpec {
    /// Secrets holding the client CAs (`tls.ca` or `ca.crt`).
    #[serde(default)]
    pub secret_names: Vec<String>,
    /// One of the five client auth types.
    pub client_auth_type: Option<String>,
}

/// `TLSStore.spec`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsStoreSpec {
    /// Certificates from Secrets.
    #[serde(default)]
    pub certificates: Vec<SecretRef>,
    /// The default certificate's Secret.
    pub default_certificate: Option<SecretRef>,
    /// The generated default certificate's settings.
    pub default_generated_cert: Option<raw::routing::GeneratedCert>,
}

/// `{secretName}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretRef {
    /// The Secret, in the referrer's namespace.
    pub secret_name: String,
}

/// `ServersTransport.spec`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServersTransportSpec {
    /// SNI sent to servers.
    pub server_name: Option<String>,
    /// Skip verification of server certificates.
    pub insecure_skip_verify: Option<bool>,
    /// CA Secrets (deprecated form).
    #[serde(rename = "rootCAsSecrets", default)]
    pub root_cas_secrets: Vec<String>,
    /// CAs from Secrets or ConfigMaps (`[{secret: name}]`).
    #[serde(rename = "rootCAs", default)]
    pub root_cas: Vec<RootCaRef>,
    /// Client certificate Secrets.
    #[serde(default)]
    pub certificates_secrets: Vec<String>,
    /// Idle connections kept per host.
    pub max_idle_conns_per_host: Option<i64>,
    /// Timeouts.
    pub forwarding_timeouts: Option<raw::routing::ForwardingTimeouts>,
    /// HTTP/1.1 only.
    #[serde(rename = "disableHTTP2")]
    pub disable_http2: Option<bool>,
    /// URI SAN required of servers.
    #[serde(rename = "peerCertURI")]
    pub peer_cert_uri: Option<String>,
    /// SPIFFE verification.
    pub spiffe: Option<raw::Spiffe>,
    /// Cipher suites.
    pub cipher_suites: Option<Vec<String>>,
    /// Lowest TLS version.
    pub min_version: Option<String>,
    /// Highest TLS version.
    pub max_version: Option<String>,
}

/// A CA source in `ServersTransport.spec.rootCAs`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RootCaRef {
    /// A Secret's name.
    pub secret: Option<String>,
    /// A ConfigMap's name (not read: refused).
    pub config_map: Option<String>,
}
