//! A transport's settings: Traefik's `serversTransport`, typed.

use std::time::Duration;

use rustls::{ProtocolVersion, SupportedCipherSuite};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// A transport's settings: Traefik's `serversTransport` with its defaults, typed
/// (files are read and names resolved by the caller).
///
/// The TLS fields only matter for `https://` servers.
///
/// # Example
///
/// ```
/// use portico_proxy::TransportSettings;
/// use std::time::Duration;
///
/// let s = TransportSettings::default();
/// assert_eq!(s.dial_timeout, Some(Duration::from_secs(30)));
/// assert_eq!(s.idle_conn_timeout, Some(Duration::from_secs(90)));
/// assert_eq!(s.max_idle_conns_per_host, 200);
/// assert_eq!(s.response_header_timeout, None);
/// assert_eq!(s.ping_timeout, Duration::from_secs(15));
/// assert!(!s.insecure_skip_verify && !s.disable_http2);
///
/// let pinned = TransportSettings {
///     server_name: Some("backend.internal".into()),
///     peer_cert_sans: vec!["spiffe://example.org/backend".into()],
///     ..TransportSettings::default()
/// };
/// assert!(portico_proxy::Transport::new(&pinned).is_ok());
/// ```
#[derive(Debug, PartialEq)]
pub struct TransportSettings {
    /// Bound on establishing a backend connection (`forwardingTimeouts.dialTimeout`).
    /// For `https://` servers the TLS handshake must also be done within this bound
    /// plus 10 s (Go's `TLSHandshakeTimeout`).
    pub dial_timeout: Option<Duration>,
    /// Bound on waiting for the backend's response headers once the request is sent
    /// (`forwardingTimeouts.responseHeaderTimeout`; none by default, as Traefik).
    pub response_header_timeout: Option<Duration>,
    /// How long an idle pooled connection is kept (`forwardingTimeouts.idleConnTimeout`).
    pub idle_conn_timeout: Option<Duration>,
    /// How many idle connections are kept per backend (`maxIdleConnsPerHost`).
    /// 0 keeps none; Traefik reads a configured 0 as Go's default, 2, which the
    /// caller maps.
    pub max_idle_conns_per_host: usize,
    /// HTTP/2 connections (h2c, or h2 over TLS) send a PING after this long without
    /// a frame from the backend, idle connections included
    /// (`forwardingTimeouts.readIdleTimeout`; none by default: no health pings).
    pub read_idle_timeout: Option<Duration>,
    /// How long an HTTP/2 PING may go unanswered before the connection is closed
    /// (`forwardingTimeouts.pingTimeout`, 15 s). Only used with `read_idle_timeout`.
    pub ping_timeout: Duration,
    /// Offer only `http/1.1` by ALPN to `https://` servers (`disableHTTP2`).
    /// `h2c://` servers keep speaking HTTP/2.
    pub disable_http2: bool,
    /// The name sent as SNI and verified in the server certificate instead of the
    /// URL's host (`serverName`).
    pub server_name: Option<String>,
    /// Accept any server certificate (`insecureSkipVerify`). The handshake
    /// signature is still checked, and so are `peer_cert_sans` when set.
    pub insecure_skip_verify: bool,
    /// The CAs server certificates must chain to (`rootCAs`). When empty, the
    /// Mozilla roots (`webpki-roots`) are used; when set they *replace* them, as
    /// Go's `tls.Config.RootCAs` does for Traefik.
    pub root_certificates: Vec<CertificateDer<'static>>,
    /// The certificate chain and key presented to servers that ask for one
    /// (`certificates`, mTLS to backends).
    pub client_certificate: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    /// The lowest TLS version offered (`minVersion`; rustls speaks TLS 1.2 and 1.3,
    /// a lower bound below 1.2 therefore means 1.2).
    pub min_version: Option<ProtocolVersion>,
    /// The highest TLS version offered (`maxVersion`).
    pub max_version: Option<ProtocolVersion>,
    /// The cipher suites offered (`cipherSuites`); empty means the provider's
    /// defaults. As in Go, TLS 1.3 suites stay the defaults unless the list names
    /// some TLS 1.3 suite.
    pub cipher_suites: Vec<SupportedCipherSuite>,
    /// When set, the server certificate must chain to the roots and carry one of
    /// these names as a DNS, URI or IP subject alternative name, instead of
    /// matching the host name (`peerCertSANs`, or the older `peerCertURI`).
    pub peer_cert_sans: Vec<String>,
}

// === impl TransportSettings ===

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings {
            dial_timeout: Some(Duration::from_secs(30)),
            response_header_timeout: None,
            idle_conn_timeout: Some(Duration::from_secs(90)),
            max_idle_conns_per_host: 200,
            read_idle_timeout: None,
            ping_timeout: Duration::from_secs(15),
            disable_http2: false,
            server_name: None,
            insecure_skip_verify: false,
            root_certificates: Vec::new(),
            client_certificate: None,
            min_version: None,
            max_version: None,
            cipher_suites: Vec::new(),
            peer_cert_sans: Vec::new(),
        }
    }
}

impl Clone for TransportSettings {
    fn clone(&self) -> Self {
        TransportSettings {
            dial_timeout: self.dial_timeout,
            response_header_timeout: self.response_header_timeout,
            idle_conn_timeout: self.idle_conn_timeout,
            max_idle_conns_per_host: self.max_idle_conns_per_host,
            read_idle_timeout: self.read_idle_timeout,
            ping_timeout: self.ping_timeout,
            disable_http2: self.disable_http2,
            server_name: self.server_name.clone(),
            insecure_skip_verify: self.insecure_skip_verify,
            root_certificates: self.root_certificates.clone(),
            client_certificate: self
                .client_certificate
                .as_ref()
                .map(|(chain, key)| (chain.clone(), key.clone_key())),
            min_version: self.min_version,
            max_version: self.max_version,
            cipher_suites: self.cipher_suites.clone(),
            peer_cert_sans: self.peer_cert_sans.clone(),
        }
    }
}
