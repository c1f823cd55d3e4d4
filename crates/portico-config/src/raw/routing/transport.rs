//! Transports towards servers (`http.serversTransports`,
//! `tcp.serversTransports`).

use serde::{Deserialize, Serialize};

use crate::raw::routing::TcpProxyProtocol;
use crate::raw::{ClientCertificate, Duration, Spiffe};
/// How Portico connects to HTTP servers (`dynamic.ServersTransport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServersTransport {
    /// SNI sent to servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// Skip verification of server certificates (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
    /// Extra CA certificates: paths or inline PEM.
    #[serde(rename = "rootCAs", skip_serializing_if = "Option::is_none")]
    pub root_cas: Option<Vec<String>>,
    /// Client certificates for mutual TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<ClientCertificate>>,
    /// Allowed cipher suites (TLS 1.2 and below).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher_suites: Option<Vec<String>>,
    /// Lowest TLS version, such as `VersionTLS12`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_version: Option<String>,
    /// Highest TLS version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_version: Option<String>,
    /// Idle connections kept per host (0: the default, 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_idle_conns_per_host: Option<i64>,
    /// Timeouts towards servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarding_timeouts: Option<ForwardingTimeouts>,
    /// Speak HTTP/1.1 only to servers (default false).
    #[serde(rename = "disableHTTP2", skip_serializing_if = "Option::is_none")]
    pub disable_http2: Option<bool>,
    /// URI SAN the server certificate must hold (deprecated).
    #[serde(rename = "peerCertURI", skip_serializing_if = "Option::is_none")]
    pub peer_cert_uri: Option<String>,
    /// SANs the server certificate must hold.
    #[serde(rename = "peerCertSANs", skip_serializing_if = "Option::is_none")]
    pub peer_cert_sans: Option<Vec<PeerCertSan>>,
    /// SPIFFE verification of servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spiffe: Option<Spiffe>,
}

/// Timeouts towards HTTP servers (`dynamic.ForwardingTimeouts`).
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
    /// HTTP/2: ping after this long without frames (default 0, none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_idle_timeout: Option<Duration>,
    /// HTTP/2: close when a ping gets no answer in this time (default 15s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ping_timeout: Option<Duration>,
}

/// A SAN the server certificate must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeerCertSan {
    /// `DNSName` or `URI`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The expected name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// How Portico connects to TCP servers (`dynamic.TCPServersTransport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpServersTransport {
    /// Keep-alive probe interval (default 15s; negative disables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dial_keep_alive: Option<Duration>,
    /// Time to establish a connection (default 30s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dial_timeout: Option<Duration>,
    /// Send a PROXY protocol header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_protocol: Option<TcpProxyProtocol>,
    /// Delay before closing the other half of a half-closed connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_delay: Option<Duration>,
    /// TLS towards servers (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TcpTlsClientConfig>,
}

/// TLS towards TCP servers (`dynamic.TLSClientConfig`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpTlsClientConfig {
    /// SNI sent to servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// Skip verification of server certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
    /// Extra CA certificates: paths or inline PEM.
    #[serde(rename = "rootCAs", skip_serializing_if = "Option::is_none")]
    pub root_cas: Option<Vec<String>>,
    /// Client certificates for mutual TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<ClientCertificate>>,
    /// URI SAN the server certificate must hold (deprecated).
    #[serde(rename = "peerCertURI", skip_serializing_if = "Option::is_none")]
    pub peer_cert_uri: Option<String>,
    /// SANs the server certificate must hold.
    #[serde(rename = "peerCertSANs", skip_serializing_if = "Option::is_none")]
    pub peer_cert_sans: Option<Vec<PeerCertSan>>,
    /// SPIFFE verification of servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spiffe: Option<Spiffe>,
}
