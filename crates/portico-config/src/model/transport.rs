//! Validated transports towards HTTP servers (`http.serversTransports.<name>`).

use std::time::Duration;

use super::tls::CertificateSpec;

/// How Portico connects to the servers of the load balancers that name this
/// transport (`http.serversTransports.<name>`).
///
/// Certificates and CAs are kept as written (a file path or inline PEM): the router
/// reads them off the request path when it builds the transport. TLS version and
/// cipher suite names are Traefik's (Go's) names, checked to be names Traefik
/// knows; whether rustls implements a suite is the TLS layer's business.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use portico_config::model::ServersTransportSpec;
///
/// let t = ServersTransportSpec::default();
/// assert_eq!(t.max_idle_conns_per_host, 200);
/// assert_eq!(t.forwarding_timeouts.dial_timeout, Some(Duration::from_secs(30)));
/// assert_eq!(t.forwarding_timeouts.idle_conn_timeout, Some(Duration::from_secs(90)));
/// assert_eq!(t.forwarding_timeouts.ping_timeout, Duration::from_secs(15));
/// assert!(!t.insecure_skip_verify && !t.disable_http2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServersTransportSpec {
    /// `serverName`: the SNI (and name verified) for TLS servers; `None`: the
    /// server URL's host.
    pub server_name: Option<String>,
    /// `insecureSkipVerify` (default false): accept any server certificate.
    pub insecure_skip_verify: bool,
    /// `rootCAs`: extra trusted CAs, each a file path or inline PEM (default: the
    /// system roots only).
    pub root_cas: Vec<String>,
    /// `certificates`: client certificates offered to servers (mutual TLS).
    pub certificates: Vec<CertificateSpec>,
    /// `minVersion`, Traefik's spelling (`VersionTLS12`); `None`: the TLS layer's
    /// default.
    pub min_version: Option<String>,
    /// `maxVersion`, Traefik's spelling (`VersionTLS13`); `None`: the highest.
    pub max_version: Option<String>,
    /// `cipherSuites`, Traefik's (Go's) spelling; empty: the TLS layer's defaults.
    pub cipher_suites: Vec<String>,
    /// `maxIdleConnsPerHost`: idle keep-alive connections kept per server (0 or
    /// unset: 200, Portico's default for every transport).
    pub max_idle_conns_per_host: usize,
    /// `forwardingTimeouts`.
    pub forwarding_timeouts: ForwardingTimeoutsSpec,
    /// `disableHTTP2` (default false): speak HTTP/1.1 to TLS servers (no `h2` in
    /// ALPN).
    pub disable_http2: bool,
    /// `peerCertSANs[].value` and the deprecated `peerCertURI`: the server
    /// certificate must hold one of these SANs (DNS names or URIs), in addition to
    /// being trusted. Empty: the usual host name check.
    pub peer_cert_sans: Vec<String>,
}

/// `forwardingTimeouts`. `None` means no limit (Traefik's 0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ForwardingTimeoutsSpec {
    /// `dialTimeout`: establishing a connection, TLS included (default 30s).
    pub dial_timeout: Option<Duration>,
    /// `responseHeaderTimeout`: waiting for the response headers once the request
    /// is sent (default none).
    pub response_header_timeout: Option<Duration>,
    /// `idleConnTimeout`: how long an idle pooled connection is kept (default 90s).
    pub idle_conn_timeout: Option<Duration>,
    /// `readIdleTimeout`: HTTP/2, send a ping after this long without frames
    /// (default none: no pings).
    pub read_idle_timeout: Option<Duration>,
    /// `pingTimeout`: HTTP/2, close the connection when a ping is not answered in
    /// this time (default 15s; 0 also means 15s).
    pub ping_timeout: Duration,
}

// === impl ServersTransportSpec ===

impl ServersTransportSpec {
    /// Portico's default `maxIdleConnsPerHost`.
    pub const DEFAULT_MAX_IDLE_CONNS_PER_HOST: usize = 200;
}

impl Default for ServersTransportSpec {
    /// `serversTransports.<name>: {}`: every option at its default.
    fn default() -> Self {
        ServersTransportSpec {
            server_name: None,
            insecure_skip_verify: false,
            root_cas: Vec::new(),
            certificates: Vec::new(),
            min_version: None,
            max_version: None,
            cipher_suites: Vec::new(),
            max_idle_conns_per_host: ServersTransportSpec::DEFAULT_MAX_IDLE_CONNS_PER_HOST,
            forwarding_timeouts: ForwardingTimeoutsSpec::default(),
            disable_http2: false,
            peer_cert_sans: Vec::new(),
        }
    }
}

// === impl ForwardingTimeoutsSpec ===

impl ForwardingTimeoutsSpec {
    /// HTTP/2's default ping timeout.
    pub const DEFAULT_PING_TIMEOUT: Duration = Duration::from_secs(15);
}

impl Default for ForwardingTimeoutsSpec {
    fn default() -> Self {
        ForwardingTimeoutsSpec {
            dial_timeout: Some(Duration::from_secs(30)),
            response_header_timeout: None,
            idle_conn_timeout: Some(Duration::from_secs(90)),
            read_idle_timeout: None,
            ping_timeout: ForwardingTimeoutsSpec::DEFAULT_PING_TIMEOUT,
        }
    }
}
