//! Default transports towards servers (`serversTransport`,
//! `tcpServersTransport` at the install root).

use serde::{Deserialize, Serialize};

use crate::raw::{Duration, Spiffe};
/// Defaults for HTTP connections to servers (`static.ServersTransport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServersTransport {
    /// Skip verification of server certificates (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
    /// Extra CA certificates: paths or inline PEM.
    #[serde(rename = "rootCAs", skip_serializing_if = "Option::is_none")]
    pub root_cas: Option<Vec<String>>,
    /// Idle connections kept per host (default 200).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_idle_conns_per_host: Option<i64>,
    /// Timeouts towards servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarding_timeouts: Option<ForwardingTimeouts>,
    /// SPIFFE verification of servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spiffe: Option<Spiffe>,
}

/// Timeouts towards servers (`static.ForwardingTimeouts`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ForwardingTimeouts {
    /// Time to establish a connection (default 30s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dial_timeout: Option<Duration>,
    /// Time to wait for response headers (default 0, none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_header_timeout: Option<Duration>,
    /// Time an idle connection is kept (default 90s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_conn_timeout: Option<Duration>,
}

/// Defaults for TCP connections to servers (`static.TCPServersTransport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpServersTransport {
    /// Keep-alive probe interval (default 15s; negative disables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dial_keep_alive: Option<Duration>,
    /// Time to establish a connection (default 30s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dial_timeout: Option<Duration>,
    /// Delay before closing the other half of a half-closed connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_delay: Option<Duration>,
    /// TLS towards servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TcpServersTransportTls>,
}

/// TLS towards TCP servers (`static.TLSClientConfig`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpServersTransportTls {
    /// Skip verification of server certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
    /// Extra CA certificates: paths or inline PEM.
    #[serde(rename = "rootCAs", skip_serializing_if = "Option::is_none")]
    pub root_cas: Option<Vec<String>>,
    /// SPIFFE verification of servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spiffe: Option<Spiffe>,
}
