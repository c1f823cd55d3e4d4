//! TCP routing (`dynamic.TCPConfiguration`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::raw::routing::{HealthCheck, TcpServersTransport, WeightedService};
use crate::raw::{Domain, Duration};
/// TCP routing (`dynamic.TCPConfiguration`). Map keys are names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpConfig {
    /// Routers, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routers: Option<BTreeMap<String, TcpRouter>>,
    /// Services, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<BTreeMap<String, TcpService>>,
    /// Middlewares, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middlewares: Option<BTreeMap<String, TcpMiddleware>>,
    /// Transports towards servers, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers_transports: Option<BTreeMap<String, TcpServersTransport>>,
}

/// A TCP router (`dynamic.TCPRouter`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpRouter {
    /// Entrypoints it listens on (default: all TCP entrypoints).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_points: Option<Vec<String>>,
    /// Middlewares, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middlewares: Option<Vec<String>>,
    /// Service name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Matching rule, such as ``HostSNI(`example.com`)``.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// `v3` or `v2`; deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_syntax: Option<String>,
    /// Priority (default: the rule's length).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// TLS of the router (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TcpRouterTls>,
}

/// TLS of a TCP router (`dynamic.RouterTCPTLSConfig`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpRouterTls {
    /// Forward the TLS stream unterminated (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passthrough: Option<bool>,
    /// TLS options name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    /// Certificate resolver name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_resolver: Option<String>,
    /// Domains to obtain certificates for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<Domain>>,
}

/// A TCP service (`dynamic.TCPService`): exactly one kind is expected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpService {
    /// Load-balance over servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<TcpLoadBalancer>,
    /// Weighted round robin over services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted: Option<TcpWeighted>,
}

/// A TCP load balancer (`dynamic.TCPServersLoadBalancer`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpLoadBalancer {
    /// Servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<TcpServer>>,
    /// Transport name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers_transport: Option<String>,
    /// Deprecated here (use the transport): send a PROXY header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_protocol: Option<TcpProxyProtocol>,
    /// Deprecated here (use the transport): milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_delay: Option<i64>,
    /// Active health checks of the servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<TcpHealthCheck>,
}

/// A TCP server (`dynamic.TCPServer`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpServer {
    /// `host:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Connect with TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
}

/// A PROXY protocol header sent to servers (`dynamic.ProxyProtocol`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpProxyProtocol {
    /// Version 1 or 2 (default 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// Active health checks of TCP servers (`dynamic.TCPServerHealthCheck`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpHealthCheck {
    /// Port (default: the server's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// Payload sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send: Option<String>,
    /// Expected reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// Time between checks of a healthy server (default 30s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// Time between checks of an unhealthy server (default: `interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unhealthy_interval: Option<Duration>,
    /// Timeout of a check (default 5s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
}

/// Weighted round robin over TCP services (`dynamic.TCPWeightedRoundRobin`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpWeighted {
    /// Services and their weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<WeightedService>>,
    /// Follow the children's health (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
}

/// A TCP middleware (`dynamic.TCPMiddleware`): exactly one kind is expected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpMiddleware {
    /// Allow only some client IPs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_allow_list: Option<TcpIpAllowList>,
    /// Deprecated name of `ipAllowList`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_white_list: Option<TcpIpAllowList>,
    /// Limit concurrent connections per client IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_flight_conn: Option<TcpInFlightConn>,
}

/// The TCP ipAllowList middleware (`dynamic.TCPIPAllowList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpIpAllowList {
    /// Allowed IPs and CIDRs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_range: Option<Vec<String>>,
}

/// The TCP inFlightConn middleware (`dynamic.TCPInFlightConn`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpInFlightConn {
    /// Concurrent connections allowed per client IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
}
