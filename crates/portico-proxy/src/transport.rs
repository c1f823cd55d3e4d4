//! The pooled clients requests go out through (`serversTransport`).
//!
//! One [`Transport`] holds an HTTP/1.1 pool of its own for `http://` servers
//! (connections driven by the request's task, see `transport/http1/`) and
//! three hyper-util clients over one connector:
//!
//! | client | servers | protocol |
//! |---|---|---|
//! | `auto` | `https://`, and `http://` upgrades | HTTP/1.1; over TLS, h2 when ALPN picks it |
//! | `h2c` | `h2c://` | HTTP/2 with prior knowledge |
//! | `tls_http1` | `https://` upgrades (WebSocket) | ALPN offers only `http/1.1` |
//!
//! Each comes twice: pooled, and without a pool for the one retry of a request
//! whose pooled connection the backend had closed (see [`crate::Forwarder`]).
//!
//! Requests that may travel over HTTP/2 (`h2c://`, and `https://` where ALPN may pick
//! h2) carry the client's host in their URI, because HTTP/2 sends the URI's
//! authority as `:authority` (RFC 9113 forbids a `Host` that differs). Their clients
//! are therefore per server: a connector that always dials that server, whatever
//! host the URI names, so pools never mix servers.

mod connect;
mod http1;
mod settings;
mod tls;
mod verify;

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use http::uri::Authority;

use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{Builder, Client, connect::HttpConnector},
    rt::{TokioExecutor, TokioTimer},
};
use portico_core::Body;

use self::connect::Connector;
pub(crate) use self::{
    connect::Established,
    http1::{Http1Error, Http1Pool, Outgoing, ServerKey},
};
pub use self::{settings::TransportSettings, tls::TransportError};
use crate::UpstreamProtocol;

/// TCP keep-alive probes on backend connections.
const TCP_KEEPALIVE: Duration = Duration::from_secs(15);

/// Pooled clients to backends, cheap to clone (clones share the pools).
///
/// One `Transport` per `serversTransport`: every service using it shares its
/// keep-alive pools, which therefore survive configuration reloads.
///
/// # Example
///
/// ```
/// use portico_proxy::{Transport, TransportSettings};
///
/// let transport = Transport::new(&TransportSettings {
///     disable_http2: true,
///     ..TransportSettings::default()
/// })?;
/// let shared = transport.clone(); // same pools
/// # let _ = shared;
/// # Ok::<(), portico_proxy::TransportError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Transport {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// `http://` servers, except upgrades: connections driven by the request.
    direct: Arc<Http1Pool>,
    /// `http://` upgrades (the URI names the server).
    http1: Arc<Clients>,
    /// `https://` upgrades (HTTP/1.1 only; the URI names the server).
    tls_http1: Arc<Clients>,
    /// Per server, for requests that may go over HTTP/2.
    per_server: RwLock<HashMap<(UpstreamProtocol, Authority), Arc<Clients>>>,
    auto_builder: Builder,
    h2c_builder: Builder,
    alpn: Connector,
    response_header_timeout: Option<Duration>,
}

/// Per-server clients kept at most; past this the cache starts over (servers in
/// use get new clients, and new connections, on their next request), so churning
/// backends cannot grow it without bound.
const MAX_SERVERS: usize = 4096;

/// A pooled client and its pool-less twin, for retries on a fresh connection.
#[derive(Clone, Debug)]
pub(crate) struct Clients {
    pub(crate) pooled: Client<Connector, Body>,
    pub(crate) fresh: Client<Connector, Body>,
    /// Whether the connector dials the host the request URI names (shared
    /// clients); when false it dials its own server and the URI carries the
    /// client's host.
    pub(crate) dial_uri_host: bool,
}

// === impl Transport ===

impl Transport {
    /// Builds the clients (no connection is made until a request needs one).
    ///
    /// Fails when the TLS settings cannot be used: a bad server name, root or
    /// client certificate, key, version range or cipher suite.
    pub fn new(settings: &TransportSettings) -> Result<Transport, TransportError> {
        let tls = tls::client_configs(settings)?;

        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(settings.dial_timeout);
        http.set_keepalive(Some(TCP_KEEPALIVE));
        let connector = |config| {
            let https = HttpsConnector::new(http.clone(), config, false, tls.server_name.clone());
            Connector::new(https, settings.dial_timeout)
        };
        let alpn = connector(tls.alpn.clone());

        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(settings.idle_conn_timeout)
            .pool_max_idle_per_host(settings.max_idle_conns_per_host)
            .set_host(false)
            .http2_keep_alive_interval(settings.read_idle_timeout)
            .http2_keep_alive_timeout(settings.ping_timeout)
            .http2_keep_alive_while_idle(true);
        let http1 = Arc::new(Clients::new(&builder, alpn.clone()));
        let tls_http1 = if settings.disable_http2 {
            http1.clone()
        } else {
            Arc::new(Clients::new(&builder, connector(tls.http1_only.clone())))
        };
        let mut h2c_builder = builder.clone();
        h2c_builder.http2_only(true);
        Ok(Transport {
            shared: Arc::new(Shared {
                direct: Arc::new(Http1Pool::new(
                    settings.dial_timeout,
                    settings.idle_conn_timeout,
                    settings.max_idle_conns_per_host,
                )),
                http1,
                tls_http1,
                per_server: RwLock::new(HashMap::new()),
                auto_builder: builder,
                h2c_builder,
                alpn,
                response_header_timeout: settings.response_header_timeout,
            }),
        })
    }

    /// The clients for a request to `server` over `protocol`; `upgrade` for
    /// requests that switch protocols, which need HTTP/1.1 end to end. Whether
    /// the request URI must name the server ([`Clients::dial_uri_host`]) comes
    /// with them.
    pub(crate) fn clients(
        &self,
        protocol: UpstreamProtocol,
        server: &Authority,
        upgrade: bool,
    ) -> Arc<Clients> {
        match protocol {
            UpstreamProtocol::Http1 => self.shared.http1.clone(),
            UpstreamProtocol::Https if upgrade => self.shared.tls_http1.clone(),
            UpstreamProtocol::H2c | UpstreamProtocol::Https => self.per_server(protocol, server),
        }
    }

    fn per_server(&self, protocol: UpstreamProtocol, server: &Authority) -> Arc<Clients> {
        let key = (protocol, server.clone());
        if let Ok(map) = self.shared.per_server.read()
            && let Some(clients) = map.get(&key)
        {
            return clients.clone();
        }
        let builder = match protocol {
            UpstreamProtocol::H2c => &self.shared.h2c_builder,
            UpstreamProtocol::Http1 | UpstreamProtocol::Https => &self.shared.auto_builder,
        };
        let mut clients = Clients::new(builder, self.shared.alpn.to(server.clone()));
        clients.dial_uri_host = false;
        let clients = Arc::new(clients);
        if let Ok(mut map) = self.shared.per_server.write() {
            if map.len() >= MAX_SERVERS && !map.contains_key(&key) {
                map.clear();
            }
            return map.entry(key).or_insert(clients).clone();
        }
        clients
    }

    /// The pool of `http://` connections (requests that do not switch protocols).
    pub(crate) fn direct(&self) -> &Arc<Http1Pool> {
        &self.shared.direct
    }

    pub(crate) fn response_header_timeout(&self) -> Option<Duration> {
        self.shared.response_header_timeout
    }
}

impl Default for Transport {
    /// A transport with [`TransportSettings::default`].
    fn default() -> Transport {
        // The defaults carry no TLS material, nothing there can be refused.
        Transport::new(&TransportSettings::default()).expect("default transport settings are valid")
    }
}

// === impl Clients ===

impl Clients {
    fn new(builder: &Builder, connector: Connector) -> Clients {
        let mut fresh = builder.clone();
        fresh.pool_max_idle_per_host(0);
        Clients {
            pooled: builder.build(connector.clone()),
            fresh: fresh.build(connector),
            dial_uri_host: true,
        }
    }
}
