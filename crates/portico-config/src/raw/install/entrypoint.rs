//! Entrypoints: the listeners (`static.EntryPoint`).

use serde::{Deserialize, Serialize};

use crate::raw::{Domain, Duration, EncodedCharacters, Observability};
/// A listener (`static.EntryPoint`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntryPoint {
    /// `[host]:port[/tcp|/udp]`; required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Let user routers answer ACME challenges (default false).
    #[serde(rename = "allowACMEByPass", skip_serializing_if = "Option::is_none")]
    pub allow_acme_by_pass: Option<bool>,
    /// Set `SO_REUSEPORT` (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reuse_port: Option<bool>,
    /// Attach routers without `entryPoints` here (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_default: Option<bool>,
    /// Client connection timeouts and life cycle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<EntryPointTransport>,
    /// Accept PROXY protocol headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_protocol: Option<ProxyProtocol>,
    /// Trust incoming `X-Forwarded-*` headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_headers: Option<ForwardedHeaders>,
    /// HTTP settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<EntryPointHttp>,
    /// HTTP/2 settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http2: Option<Http2>,
    /// Serve HTTP/3 (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http3: Option<Http3>,
    /// UDP settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub udp: Option<Udp>,
    /// Default observability switches of the routers here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observability: Option<Observability>,
}

/// Client connection timeouts and life cycle (`static.EntryPointsTransport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntryPointTransport {
    /// Graceful shutdown timings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub life_cycle: Option<LifeCycle>,
    /// Request timeouts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responding_timeouts: Option<RespondingTimeouts>,
    /// Close keep-alive connections after this long (default 0, none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_alive_max_time: Option<Duration>,
    /// Close keep-alive connections after this many requests (default 0, none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_alive_max_requests: Option<i64>,
}

/// Graceful shutdown timings (`static.LifeCycle`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LifeCycle {
    /// Keep accepting requests this long after a stop signal (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_accept_grace_timeout: Option<Duration>,
    /// Time given to in-flight requests on stop (default 10s). Note Traefik's spelling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_time_out: Option<Duration>,
}

/// Request timeouts (`static.RespondingTimeouts`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RespondingTimeouts {
    /// Time to read the whole request (default 60s; 0 = none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_timeout: Option<Duration>,
    /// Time to write the response (default 0, none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_timeout: Option<Duration>,
    /// Time a keep-alive connection may stay idle (default 180s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<Duration>,
}

/// PROXY protocol acceptance (`static.ProxyProtocol`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProxyProtocol {
    /// Trust every peer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Peers (IPs or CIDRs) whose PROXY headers are honoured.
    #[serde(rename = "trustedIPs", skip_serializing_if = "Option::is_none")]
    pub trusted_ips: Option<Vec<String>>,
}

/// Trust of incoming forwarding headers (`static.ForwardedHeaders`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ForwardedHeaders {
    /// Trust every peer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Peers (IPs or CIDRs) whose `X-Forwarded-*` headers are kept.
    #[serde(rename = "trustedIPs", skip_serializing_if = "Option::is_none")]
    pub trusted_ips: Option<Vec<String>>,
    /// Headers listed in `Connection` that survive until after the middlewares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<Vec<String>>,
    /// Do not append the peer address to `X-Forwarded-For` (default false).
    #[serde(
        rename = "notAppendXForwardedFor",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_append_xforwarded_for: Option<bool>,
    /// Add `X-Forwarded-Scheme` and `X-Scheme` (default false).
    #[serde(
        rename = "addXForwardedSchemeHeaders",
        skip_serializing_if = "Option::is_none"
    )]
    pub add_xforwarded_scheme_headers: Option<bool>,
}

/// HTTP settings of an entrypoint (`static.HTTPConfig`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntryPointHttp {
    /// Redirect every request to another entrypoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirections: Option<Redirections>,
    /// Middlewares prepended to every router here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middlewares: Option<Vec<String>>,
    /// Make every router here a TLS router (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<EntryPointTls>,
    /// Percent-encoded characters allowed in paths (all allowed by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_characters: Option<EncodedCharacters>,
    /// Forward `;` in queries as `%3B` instead of treating it as `&` (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encode_query_semicolons: Option<bool>,
    /// Remove `.`, `..` and duplicate slashes before routing (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sanitize_path: Option<bool>,
    /// Largest request header block (default 1048576).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_header_bytes: Option<i64>,
    /// `keep` (default), `delete` or `reject` headers with `_` in their name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub underscore_headers_strategy: Option<String>,
}

/// Entrypoint redirections (`static.Redirections`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Redirections {
    /// Redirect to another entrypoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<RedirectEntryPoint>,
}

/// A redirection to another entrypoint (`static.RedirectEntryPoint`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RedirectEntryPoint {
    /// Target entrypoint name or `:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Scheme of the redirect (default `https`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Permanent redirection (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permanent: Option<bool>,
    /// Priority of the generated router (default MaxInt-1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
}

/// Default TLS of the routers of an entrypoint (`static.TLSConfig`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntryPointTls {
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

/// HTTP/2 settings (`static.HTTP2Config`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Http2 {
    /// Streams a client may open at once (default 250).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent_streams: Option<i32>,
    /// HPACK decoder table size (default 4096).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_decoder_header_table_size: Option<i32>,
    /// HPACK encoder table size (default 4096).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_encoder_header_table_size: Option<i32>,
}

/// HTTP/3 settings (`static.HTTP3Config`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Http3 {
    /// UDP port advertised in `Alt-Svc` (default: the entrypoint's port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advertised_port: Option<i64>,
}

/// UDP settings (`static.UDPConfig`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Udp {
    /// Idle time before a UDP session is released (default 3s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
}
