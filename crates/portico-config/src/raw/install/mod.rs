//! The install ("static") configuration: what Traefik reads once at start-up
//! from `traefik.yml`, `TRAEFIK_*` variables or `--flags`.
//!
//! Every struct mirrors Traefik v3's Go struct of the same role
//! (`pkg/config/static`), with the same key names. Every field is an
//! `Option`: an unset key stays unset here, defaults are applied by
//! validation. That lets the binary layer file < environment < flags by
//! serializing each layer back and merging.
//!
//! Sections Portico does not implement are kept as [`Opaque`] values:
//! `tracing`, `hostResolver`, `experimental`, `spiffe`, `ocsp`, the
//! `datadog`, `statsD`, `influxDB2` and `otlp` metrics, the providers other
//! than `file`, `kubernetesCRD`, `kubernetesIngress`, `redis`, `etcd`,
//! `consul` and `http`, and the `tailscale` certificate resolver.

mod acme;
mod entrypoint;
mod observability;
mod providers;
mod transport;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::raw::Opaque;

pub use self::acme::{Acme, DnsChallenge, Eab, HttpChallenge, Propagation, TlsChallenge};
pub use self::entrypoint::{
    EntryPoint, EntryPointHttp, EntryPointTls, EntryPointTransport, ForwardedHeaders, Http2, Http3,
    LifeCycle, ProxyProtocol, RedirectEntryPoint, Redirections, RespondingTimeouts, Udp,
};
pub use self::observability::{
    AccessLog, AccessLogFields, AccessLogFilters, FieldHeaders, FieldQueryParameters, Log, Metrics,
    Prometheus,
};
pub use self::providers::{
    ConsulProvider, EtcdProvider, FileProvider, HttpProvider, IngressEndpoint,
    KubernetesCrdProvider, KubernetesIngressProvider, Providers, RedisProvider, RedisSentinel,
};
pub use self::transport::{
    ForwardingTimeouts, ServersTransport, TcpServersTransport, TcpServersTransportTls,
};
/// The whole install configuration (Traefik's `static.Configuration`), plus
/// Portico's own `portico` section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstallConfig {
    /// Global switches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global: Option<Global>,
    /// Defaults for HTTP connections to servers (`default@internal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers_transport: Option<ServersTransport>,
    /// Defaults for TCP connections to servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_servers_transport: Option<TcpServersTransport>,
    /// Listeners, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_points: Option<BTreeMap<String, EntryPoint>>,
    /// Where routing configuration comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub providers: Option<Providers>,
    /// The API and dashboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,
    /// The `/ping` health endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ping: Option<Ping>,
    /// Metrics exporters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// Portico's own log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<Log>,
    /// The access log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_log: Option<AccessLog>,
    /// OpenTelemetry tracing: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracing: Option<Opaque>,
    /// CNAME flattening: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_resolver: Option<Opaque>,
    /// Certificate resolvers (ACME), by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates_resolvers: Option<BTreeMap<String, CertificateResolver>>,
    /// Experimental features (plugins, ...): not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub experimental: Option<Opaque>,
    /// Core behaviour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub core: Option<Core>,
    /// SPIFFE workload API: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spiffe: Option<Opaque>,
    /// OCSP stapling overrides: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocsp: Option<Opaque>,
    /// Portico's own settings (not a Traefik key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portico: Option<PorticoSection>,
}

/// Global switches (`static.Global`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Global {
    /// Check for new Traefik versions (ignored by Portico).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_new_version: Option<bool>,
    /// Send anonymous usage statistics (ignored by Portico).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_anonymous_usage: Option<bool>,
    /// Do not append the client address to `X-Forwarded-For` (default false).
    #[serde(
        rename = "notAppendXForwardedFor",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_append_xforwarded_for: Option<bool>,
}

/// Core behaviour (`static.Core`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Core {
    /// Default rule syntax, `v3` (default) or `v2` (deprecated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_rule_syntax: Option<String>,
}

/// Portico's own install settings. Traefik does not know this key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PorticoSection {
    /// Reload the install configuration file when it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watch: Option<bool>,
}

/// The API and dashboard (`static.API`). Present means enabled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Api {
    /// Path prefix of the API and dashboard (default `/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
    /// Serve the API on the `traefik` entrypoint (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Serve the dashboard (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<bool>,
    /// Serve debug endpoints (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debug: Option<bool>,
    /// Hide the dashboard advertisement (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_dashboard_ad: Option<bool>,
    /// Name shown in the dashboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard_name: Option<String>,
}

/// The `/ping` health endpoint (`ping.Handler`). Present means enabled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ping {
    /// Entrypoint serving `/ping` (default `traefik`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// Leave routing to a user router on `ping@internal` (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_routing: Option<bool>,
    /// Status answered while shutting down (default 503).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminating_status_code: Option<i64>,
}

/// A certificate resolver (`static.CertificateResolver`): ACME or Tailscale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CertificateResolver {
    /// Obtain certificates with ACME (Let's Encrypt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acme: Option<Acme>,
    /// Obtain certificates from Tailscale: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tailscale: Option<Opaque>,
}
