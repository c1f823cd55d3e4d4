//! Document roots that skip the other configuration's keys, as Traefik does
//! (the `combined` files hold both).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::raw::install::{
    AccessLog, Api, CertificateResolver, Core, EntryPoint, Global, Log, Metrics, Ping,
    PorticoSection, Providers, ServersTransport, TcpServersTransport,
};
use crate::raw::routing::{HttpConfig, TcpConfig, TlsConfig, UdpConfig};
use crate::raw::{InstallConfig, Opaque, RoutingConfig};

/// An install document: [`InstallConfig`] plus the ignored routing keys.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a map of install options"
)]
pub(super) struct InstallFile {
    global: Option<Global>,
    servers_transport: Option<ServersTransport>,
    tcp_servers_transport: Option<TcpServersTransport>,
    entry_points: Option<BTreeMap<String, EntryPoint>>,
    providers: Option<Providers>,
    api: Option<Api>,
    ping: Option<Ping>,
    metrics: Option<Metrics>,
    log: Option<Log>,
    access_log: Option<AccessLog>,
    tracing: Option<Opaque>,
    host_resolver: Option<Opaque>,
    certificates_resolvers: Option<BTreeMap<String, CertificateResolver>>,
    experimental: Option<Opaque>,
    core: Option<Core>,
    spiffe: Option<Opaque>,
    ocsp: Option<Opaque>,
    portico: Option<PorticoSection>,
    #[serde(rename = "http")]
    _http: Option<IgnoredAny>,
    #[serde(rename = "tcp")]
    _tcp: Option<IgnoredAny>,
    #[serde(rename = "udp")]
    _udp: Option<IgnoredAny>,
    #[serde(rename = "tls")]
    _tls: Option<IgnoredAny>,
}

/// A routing document: [`RoutingConfig`] plus the ignored install keys.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a map of routing options"
)]
pub(super) struct RoutingFile {
    http: Option<HttpConfig>,
    tcp: Option<TcpConfig>,
    udp: Option<UdpConfig>,
    tls: Option<TlsConfig>,
    #[serde(rename = "global")]
    _global: Option<IgnoredAny>,
    #[serde(rename = "serversTransport")]
    _servers_transport: Option<IgnoredAny>,
    #[serde(rename = "tcpServersTransport")]
    _tcp_servers_transport: Option<IgnoredAny>,
    #[serde(rename = "entryPoints")]
    _entry_points: Option<IgnoredAny>,
    #[serde(rename = "providers")]
    _providers: Option<IgnoredAny>,
    #[serde(rename = "api")]
    _api: Option<IgnoredAny>,
    #[serde(rename = "ping")]
    _ping: Option<IgnoredAny>,
    #[serde(rename = "metrics")]
    _metrics: Option<IgnoredAny>,
    #[serde(rename = "log")]
    _log: Option<IgnoredAny>,
    #[serde(rename = "accessLog")]
    _access_log: Option<IgnoredAny>,
    #[serde(rename = "tracing")]
    _tracing: Option<IgnoredAny>,
    #[serde(rename = "hostResolver")]
    _host_resolver: Option<IgnoredAny>,
    #[serde(rename = "certificatesResolvers")]
    _certificates_resolvers: Option<IgnoredAny>,
    #[serde(rename = "experimental")]
    _experimental: Option<IgnoredAny>,
    #[serde(rename = "core")]
    _core: Option<IgnoredAny>,
    #[serde(rename = "spiffe")]
    _spiffe: Option<IgnoredAny>,
    #[serde(rename = "ocsp")]
    _ocsp: Option<IgnoredAny>,
    #[serde(rename = "portico")]
    _portico: Option<IgnoredAny>,
}

// === impl InstallFile ===

impl From<InstallFile> for InstallConfig {
    fn from(file: InstallFile) -> Self {
        let InstallFile {
            global,
            servers_transport,
            tcp_servers_transport,
            entry_points,
            providers,
            api,
            ping,
            metrics,
            log,
            access_log,
            tracing,
            host_resolver,
            certificates_resolvers,
            experimental,
            core,
            spiffe,
            ocsp,
            portico,
            _http,
            _tcp,
            _udp,
            _tls,
        } = file;
        Self {
            global,
            servers_transport,
            tcp_servers_transport,
            entry_points,
            providers,
            api,
            ping,
            metrics,
            log,
            access_log,
            tracing,
            host_resolver,
            certificates_resolvers,
            experimental,
            core,
            spiffe,
            ocsp,
            portico,
        }
    }
}

// === impl RoutingFile ===

impl From<RoutingFile> for RoutingConfig {
    fn from(file: RoutingFile) -> Self {
        Self {
            http: file.http,
            tcp: file.tcp,
            udp: file.udp,
            tls: file.tls,
        }
    }
}
