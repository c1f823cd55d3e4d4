//! The pooled clients requests go out through (`serversTransport`).

use std::time::Duration;

use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::{TokioExecutor, TokioTimer},
};
use portico_core::Body;

use crate::UpstreamProtocol;

/// A transport's settings, Traefik's `serversTransport` subset with its defaults.
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
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportSettings {
    /// Bound on establishing a backend connection (`forwardingTimeouts.dialTimeout`).
    pub dial_timeout: Option<Duration>,
    /// Bound on waiting for the backend's response headers once the request is sent
    /// (`forwardingTimeouts.responseHeaderTimeout`; none by default, as Traefik).
    pub response_header_timeout: Option<Duration>,
    /// How long an idle pooled connection is kept (`forwardingTimeouts.idleConnTimeout`).
    pub idle_conn_timeout: Option<Duration>,
    /// How many idle connections are kept per backend (`maxIdleConnsPerHost`).
    pub max_idle_conns_per_host: usize,
}

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings {
            dial_timeout: Some(Duration::from_secs(30)),
            response_header_timeout: None,
            idle_conn_timeout: Some(Duration::from_secs(90)),
            max_idle_conns_per_host: 200,
        }
    }
}

/// Pooled clients to backends, cheap to clone (clones share the pools).
///
/// One `Transport` per `serversTransport`: every service using it shares its
/// keep-alive pools, which therefore survive configuration reloads.
#[derive(Clone, Debug)]
pub struct Transport {
    http1: Client<HttpConnector, Body>,
    h2c: Client<HttpConnector, Body>,
    response_header_timeout: Option<Duration>,
}

// === impl Transport ===

impl Transport {
    /// Builds the clients (no connection is made until a request needs one).
    pub fn new(settings: &TransportSettings) -> Transport {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(settings.dial_timeout);
        connector.set_keepalive(Some(Duration::from_secs(15)));

        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(settings.idle_conn_timeout)
            .pool_max_idle_per_host(settings.max_idle_conns_per_host)
            .set_host(false);
        let http1 = builder.build(connector.clone());
        builder.http2_only(true);
        let h2c = builder.build(connector);
        Transport {
            http1,
            h2c,
            response_header_timeout: settings.response_header_timeout,
        }
    }

    pub(crate) fn client(&self, protocol: UpstreamProtocol) -> &Client<HttpConnector, Body> {
        match protocol {
            UpstreamProtocol::H2c => &self.h2c,
            UpstreamProtocol::Http1 | UpstreamProtocol::Https => &self.http1,
        }
    }

    pub(crate) fn response_header_timeout(&self) -> Option<Duration> {
        self.response_header_timeout
    }
}
