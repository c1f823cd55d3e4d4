//! The validated install (static) configuration.

use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use ipnet::IpNet;

use super::ListenAddress;

/// The validated install configuration: entrypoints, providers, logging and the
/// default transport, with Traefik's defaults applied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstallModel {
    /// Entrypoints by name.
    pub entry_points: BTreeMap<String, EntryPointSpec>,
    /// Where routing configuration comes from.
    pub providers: ProvidersSpec,
    /// Process logs.
    pub log: LogSpec,
    /// The default transport to backends (static `serversTransport`).
    pub servers_transport: TransportSpec,
    /// `core.defaultRuleSyntax` (v3 unless set to v2).
    pub default_rule_syntax: portico_rules::Syntax,
    /// `certificatesResolvers.<name>.acme`, by resolver name.
    pub certificate_resolvers: BTreeMap<String, super::AcmeResolverSpec>,
    /// `portico.watch` (or `--watch-static`): reload the install configuration when
    /// its file changes, as on SIGHUP.
    pub watch_static: bool,
    /// Settings that were accepted but have no effect in Portico, one line each.
    pub warnings: Vec<String>,
}

/// One entrypoint (`entryPoints.<name>`).
#[derive(Clone, Debug, PartialEq)]
pub struct EntryPointSpec {
    /// The entrypoint's name.
    pub name: String,
    /// Where it listens.
    pub address: ListenAddress,
    /// `asDefault`: routers without `entryPoints` attach to default entrypoints.
    pub as_default: bool,
    /// `reusePort`: set `SO_REUSEPORT` so several processes can share the port.
    pub reuse_port: bool,
    /// `transport.respondingTimeouts`.
    pub timeouts: RespondingTimeouts,
    /// `transport.lifeCycle`.
    pub life_cycle: LifeCycle,
    /// `forwardedHeaders`.
    pub forwarded_headers: ForwardedHeadersSpec,
    /// `http.*` settings.
    pub http: EntryPointHttp,
    /// `http.tls`: every router on this entrypoint is a TLS router.
    pub tls: Option<EntryPointTls>,
    /// `http.redirections.entryPoint`: plain HTTP is redirected elsewhere.
    pub redirect: Option<Redirect>,
    /// `allowACMEByPass`: routers of this entrypoint may answer ACME HTTP-01
    /// challenge paths themselves; the challenge responder answers only what no
    /// router matches (default false: the responder goes first).
    pub allow_acme_bypass: bool,
}

/// `entryPoints.<name>.http.tls`: TLS defaults for the entrypoint's routers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryPointTls {
    /// `options`: the TLS options name (routers may name their own).
    pub options: Option<String>,
    /// `certResolver`.
    pub cert_resolver: Option<String>,
    /// `domains`.
    pub domains: Vec<super::TlsDomain>,
}

/// `entryPoints.<name>.http.redirections.entryPoint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The port to redirect to (the `to` entrypoint's, or `:port`).
    pub port: u16,
    /// The entrypoint named by `to`, if it named one: its bound port replaces
    /// `port` once it listens (it differs when the address asks for port 0).
    pub entry_point: Option<String>,
    /// `scheme` (default `https`).
    pub scheme: String,
    /// `permanent` (default true): 308/301 rather than 307/302.
    pub permanent: bool,
    /// `priority` (default `MaxInt - 1`): user routers above it are not redirected.
    pub priority: i64,
}

/// `transport.respondingTimeouts`; `None` means no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RespondingTimeouts {
    /// Whole request, headers and body (default 60s).
    pub read: Option<Duration>,
    /// From the end of the request headers to the end of the response (default none).
    pub write: Option<Duration>,
    /// Keep-alive idle time between requests (default 180s).
    pub idle: Option<Duration>,
}

impl Default for RespondingTimeouts {
    fn default() -> Self {
        RespondingTimeouts {
            read: Some(Duration::from_secs(60)),
            write: None,
            idle: Some(Duration::from_secs(180)),
        }
    }
}

/// `transport.lifeCycle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LifeCycle {
    /// Keep accepting requests this long after a stop is asked (default 0).
    pub request_accept_grace: Duration,
    /// Time in-flight requests get to finish once accepting stopped (default 10s).
    pub grace: Duration,
}

impl Default for LifeCycle {
    fn default() -> Self {
        LifeCycle {
            request_accept_grace: Duration::ZERO,
            grace: Duration::from_secs(10),
        }
    }
}

/// `forwardedHeaders`: who may send `X-Forwarded-*` headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForwardedHeadersSpec {
    /// Trust every client.
    pub insecure: bool,
    /// Trust clients within these networks.
    pub trusted_ips: Vec<IpNet>,
}

/// An entrypoint's `http.*` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPointHttp {
    /// `http.sanitizePath` (default true).
    pub sanitize_path: bool,
    /// `http.encodeQuerySemicolons` (default false).
    pub encode_query_semicolons: bool,
    /// `http.maxHeaderBytes` (default 1 MiB).
    pub max_header_bytes: usize,
    /// `http.middlewares`, qualified names prepended to every router.
    pub middlewares: Vec<String>,
    /// `http2.maxConcurrentStreams` (default 250).
    pub max_concurrent_streams: u32,
}

impl Default for EntryPointHttp {
    fn default() -> Self {
        EntryPointHttp {
            sanitize_path: true,
            encode_query_semicolons: false,
            max_header_bytes: 1 << 20,
            middlewares: Vec::new(),
            max_concurrent_streams: 250,
        }
    }
}

/// The configured providers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvidersSpec {
    /// `providers.providersThrottleDuration` (default 2s).
    pub throttle: Duration,
    /// `providers.file`.
    pub file: Option<FileProviderSpec>,
    /// `providers.kubernetesCRD`.
    pub kubernetes_crd: Option<super::KubernetesCrdSpec>,
    /// `providers.kubernetesIngress`.
    pub kubernetes_ingress: Option<super::KubernetesIngressSpec>,
}

impl Default for ProvidersSpec {
    fn default() -> Self {
        ProvidersSpec {
            throttle: Duration::from_secs(2),
            file: None,
            kubernetes_crd: None,
            kubernetes_ingress: None,
        }
    }
}

/// `providers.file`: one file or a directory of files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProviderSpec {
    /// `filename`.
    pub filename: Option<PathBuf>,
    /// `directory`.
    pub directory: Option<PathBuf>,
    /// `watch` (default true).
    pub watch: bool,
}

/// `log`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSpec {
    /// A `tracing` level filter (`error`, `warn`, `info`, `debug`, `trace`).
    pub level: String,
    /// Output format.
    pub format: LogFormat,
    /// `filePath`: write logs there instead of standard error.
    pub file_path: Option<PathBuf>,
}

impl Default for LogSpec {
    fn default() -> Self {
        LogSpec {
            level: "error".to_owned(),
            format: LogFormat::Common,
            file_path: None,
        }
    }
}

/// `log.format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (`common`, the default).
    #[default]
    Common,
    /// One JSON object per line (`json`).
    Json,
}

/// The static `serversTransport` subset Portico applies to the default transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportSpec {
    /// `forwardingTimeouts.dialTimeout` (default 30s).
    pub dial_timeout: Option<Duration>,
    /// `forwardingTimeouts.responseHeaderTimeout` (default none).
    pub response_header_timeout: Option<Duration>,
    /// `forwardingTimeouts.idleConnTimeout` (default 90s).
    pub idle_conn_timeout: Option<Duration>,
    /// `maxIdleConnsPerHost` (default 200).
    pub max_idle_conns_per_host: usize,
}

impl Default for TransportSpec {
    fn default() -> Self {
        TransportSpec {
            dial_timeout: Some(Duration::from_secs(30)),
            response_header_timeout: None,
            idle_conn_timeout: Some(Duration::from_secs(90)),
            max_idle_conns_per_host: 200,
        }
    }
}

// === impl EntryPointSpec ===

impl EntryPointSpec {
    /// An entrypoint on `address` with every other setting at Traefik's default.
    ///
    /// # Example
    ///
    /// ```
    /// use portico_config::model::{EntryPointSpec, ListenAddress};
    /// let ep = EntryPointSpec::new("web", ListenAddress::parse("127.0.0.1:0").unwrap());
    /// assert_eq!(ep.life_cycle.grace, std::time::Duration::from_secs(10));
    /// ```
    pub fn new(name: &str, address: ListenAddress) -> EntryPointSpec {
        EntryPointSpec {
            name: name.to_owned(),
            address,
            as_default: false,
            reuse_port: false,
            timeouts: RespondingTimeouts::default(),
            life_cycle: LifeCycle::default(),
            forwarded_headers: ForwardedHeadersSpec::default(),
            http: EntryPointHttp::default(),
            tls: None,
            redirect: None,
            allow_acme_bypass: false,
        }
    }
}
