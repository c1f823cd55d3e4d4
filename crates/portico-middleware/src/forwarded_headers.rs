//! Forwarded headers at the entrypoint, as Traefik sets them.
//!
//! For a client that is not trusted (`forwardedHeaders.trustedIPs`/`insecure`), every
//! `X-Forwarded-*` header Portico manages and `X-Real-Ip` are deleted first, including
//! their underscore spellings (`X_Forwarded_For`) that some backends fold into the
//! dashed form. Then, when absent:
//! - `X-Real-Ip`: the client's address;
//! - `X-Forwarded-Proto`: `http`/`https`, or `ws`/`wss` for a WebSocket upgrade;
//! - `X-Forwarded-Port`: the port in `Host`, else 443 for TLS, else 80;
//! - `X-Forwarded-Host`: the request's `Host`;
//!
//! and always `X-Forwarded-Server` (this machine's name). Several `X-Forwarded-For`
//! lines are joined into one; the client itself is appended when the request is
//! forwarded (see `portico_proxy`), so middlewares see the list as received.
//!
//! The client address and TLS state come from [`portico_core::ConnectionInfo`] in
//! the request extensions; without it the request is treated as untrusted plain HTTP
//! and `X-Real-Ip` is not set.
//!
//! # Example
//!
//! ```
//! use portico_middleware::forwarded_headers::{ForwardedHeadersLayer, Trust};
//! use tower::{Layer, service_fn};
//! use http::{Request, Response};
//! use std::convert::Infallible;
//!
//! let trust = Trust::networks(vec!["10.0.0.0/8".parse().unwrap()]);
//! assert!(trust.trusts("10.1.2.3".parse().unwrap()));
//! let layer = ForwardedHeadersLayer::new(trust, "edge-1");
//! let svc = layer.layer(service_fn(|req: Request<()>| async move {
//!     Ok::<_, Infallible>(Response::new(()))
//! }));
//! # let _ = svc;
//! ```

use std::{
    net::IpAddr,
    sync::Arc,
    task::{Context, Poll},
};

use http::{
    HeaderMap, HeaderName, HeaderValue, Request,
    header::{self, Entry},
};
use ipnet::IpNet;
use portico_core::ConnectionInfo;
use tower::{Layer, Service};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
const X_FORWARDED_SERVER: HeaderName = HeaderName::from_static("x-forwarded-server");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");

/// The headers managed by Portico, in their canonical lower-case form.
const MANAGED: [&str; 13] = [
    "x-forwarded-proto",
    "x-forwarded-scheme",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-port",
    "x-forwarded-server",
    "x-forwarded-uri",
    "x-forwarded-method",
    "x-forwarded-prefix",
    "x-forwarded-tls-client-cert",
    "x-forwarded-tls-client-cert-info",
    "x-scheme",
    "x-real-ip",
];

/// Which clients may set forwarded headers themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trust {
    insecure: bool,
    networks: Vec<IpNet>,
}

/// Sets forwarded headers; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct ForwardedHeadersLayer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    trust: Trust,
    server: Option<HeaderValue>,
}

/// The service made by [`ForwardedHeadersLayer`].
#[derive(Clone, Debug)]
pub struct ForwardedHeaders<S> {
    inner: S,
    shared: Arc<Shared>,
}

// === impl Trust ===

impl Trust {
    /// Trusts nobody: every client's forwarded headers are replaced (the default).
    pub fn nobody() -> Trust {
        Trust::default()
    }

    /// Trusts every client (`forwardedHeaders.insecure`).
    pub fn everybody() -> Trust {
        Trust {
            insecure: true,
            networks: Vec::new(),
        }
    }

    /// Trusts clients within these networks (`forwardedHeaders.trustedIPs`).
    pub fn networks(networks: Vec<IpNet>) -> Trust {
        Trust {
            insecure: false,
            networks,
        }
    }

    /// Whether a client at `ip` is trusted. IPv4-mapped IPv6 addresses are compared
    /// as IPv4.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        if self.insecure {
            return true;
        }
        let ip = ip.to_canonical();
        self.networks.iter().any(|net| net.contains(&ip))
    }
}

// === impl ForwardedHeadersLayer ===

impl ForwardedHeadersLayer {
    /// A layer trusting `trust` and naming this machine `server_name` in
    /// `X-Forwarded-Server` (an empty name leaves the header unset).
    pub fn new(trust: Trust, server_name: &str) -> Self {
        let server = if server_name.is_empty() {
            None
        } else {
            HeaderValue::from_str(server_name).ok()
        };
        ForwardedHeadersLayer {
            shared: Arc::new(Shared { trust, server }),
        }
    }
}

impl<S> Layer<S> for ForwardedHeadersLayer {
    type Service = ForwardedHeaders<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ForwardedHeaders {
            inner,
            shared: self.shared.clone(),
        }
    }
}

// === impl ForwardedHeaders ===

impl<S> ForwardedHeaders<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B> Service<Request<B>> for ForwardedHeaders<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let conn = request.extensions().get::<ConnectionInfo>();
        let peer = conn.map(|c| (c.peer.ip(), c.peer_ip_value().clone()));
        let tls = conn.is_some_and(|c| c.tls);
        if !peer
            .as_ref()
            .is_some_and(|(ip, _)| self.shared.trust.trusts(*ip))
        {
            remove_managed(request.headers_mut());
        }
        let host = request.headers().get(header::HOST).cloned().or_else(|| {
            let authority = request.uri().authority()?;
            HeaderValue::from_str(authority.as_str()).ok()
        });
        let headers = request.headers_mut();
        // Up to six fields are added: one growth at most, not one per field.
        headers.reserve(6);
        if let Some((_, ip)) = peer
            && let Entry::Vacant(entry) = headers.entry(X_REAL_IP)
        {
            entry.insert(ip);
        }
        let websocket = is_websocket(headers);
        let secure_proto = match headers.entry(X_FORWARDED_PROTO) {
            Entry::Occupied(entry) => {
                let value = entry.get();
                value == "https" || value == "wss"
            }
            Entry::Vacant(entry) => {
                let proto = match (websocket, tls) {
                    (true, true) => "wss",
                    (true, false) => "ws",
                    (false, true) => "https",
                    (false, false) => "http",
                };
                entry.insert(HeaderValue::from_static(proto));
                tls
            }
        };
        if let Entry::Vacant(entry) = headers.entry(X_FORWARDED_PORT) {
            let port = host
                .as_ref()
                .and_then(|h| port_of(h.to_str().ok()?))
                .and_then(|p| HeaderValue::from_str(p).ok());
            let secure = tls || secure_proto;
            entry.insert(
                port.unwrap_or_else(|| HeaderValue::from_static(if secure { "443" } else { "80" })),
            );
        }
        if let Some(host) = host.filter(|h| !h.is_empty())
            && let Entry::Vacant(entry) = headers.entry(X_FORWARDED_HOST)
        {
            entry.insert(host);
        }
        join_lines(headers, X_FORWARDED_FOR);
        if let Some(server) = &self.shared.server {
            headers.insert(X_FORWARDED_SERVER, server.clone());
        }
        self.inner.call(request)
    }
}

/// Whether `name` is a managed header, dashes or underscores alike.
fn is_managed(name: &str) -> bool {
    let b = name.as_bytes();
    if b.len() < 8 || b[0] != b'x' || !(b[1] == b'-' || b[1] == b'_') {
        return false;
    }
    MANAGED.iter().any(|m| {
        m.len() == b.len()
            && m.bytes()
                .zip(b.iter())
                .all(|(m, c)| m == *c || (m == b'-' && *c == b'_'))
    })
}

fn remove_managed(headers: &mut HeaderMap) {
    let managed: Vec<HeaderName> = headers
        .keys()
        .filter(|k| is_managed(k.as_str()))
        .cloned()
        .collect();
    for name in managed {
        headers.remove(name);
    }
}

fn is_websocket(headers: &HeaderMap) -> bool {
    let has_token = |name: header::HeaderName, token: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    has_token(header::CONNECTION, "upgrade") && has_token(header::UPGRADE, "websocket")
}

/// The port of a `host[:port]` value, IPv6 brackets understood.
fn port_of(host: &str) -> Option<&str> {
    let after_host = match host.strip_prefix('[') {
        Some(rest) => &rest[rest.find(']')? + 1..],
        None => host,
    };
    let (_, port) = after_host.rsplit_once(':')?;
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some(port)
}

fn join_lines(headers: &mut HeaderMap, name: HeaderName) {
    let mut values = headers.get_all(&name).iter();
    if values.next().is_none() || values.next().is_none() {
        return;
    }
    let mut joined = Vec::new();
    for (i, value) in headers.get_all(&name).iter().enumerate() {
        if i > 0 {
            joined.extend_from_slice(b", ");
        }
        joined.extend_from_slice(value.as_bytes());
    }
    if let Ok(value) = HeaderValue::from_bytes(&joined) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests;
