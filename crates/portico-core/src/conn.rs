//! Connection facts carried in request extensions.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use http::HeaderValue;

/// What the entrypoint knows about the connection a request arrived on.
///
/// The entrypoint inserts one into the extensions of every request it accepts;
/// rules (`ClientIP`), forwarded headers and access logs read it from there.
///
/// # Example
///
/// ```
/// use portico_core::ConnectionInfo;
///
/// let info = ConnectionInfo::new(
///     "192.0.2.7:53211".parse().unwrap(),
///     "127.0.0.1:80".parse().unwrap(),
///     "web".into(),
///     false,
/// );
/// assert_eq!(info.peer_ip_value(), "192.0.2.7");
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(info);
/// let peer = request.extensions().get::<ConnectionInfo>().map(|c| c.peer.ip());
/// assert_eq!(peer, Some("192.0.2.7".parse().unwrap()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// The client's address as seen on the socket (IPv4-mapped IPv6 addresses are
    /// given as IPv4).
    pub peer: SocketAddr,
    /// The local address of the listener the client connected to.
    pub local: SocketAddr,
    /// The name of the entrypoint that accepted the connection.
    pub entrypoint: Arc<str>,
    /// Whether the connection is TLS-terminated by the entrypoint.
    pub tls: bool,
    /// The client IP as a header value, formatted once per connection.
    peer_ip: HeaderValue,
}

impl ConnectionInfo {
    /// Connection facts; the client IP is canonicalised (IPv4-mapped IPv6 becomes
    /// IPv4) and formatted once.
    pub fn new(peer: SocketAddr, local: SocketAddr, entrypoint: Arc<str>, tls: bool) -> Self {
        let ip: IpAddr = peer.ip().to_canonical();
        let peer = SocketAddr::new(ip, peer.port());
        let peer_ip = HeaderValue::try_from(ip.to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("unknown"));
        ConnectionInfo {
            peer,
            local,
            entrypoint,
            tls,
            peer_ip,
        }
    }

    /// The client IP as a header value (for `X-Real-Ip`, `X-Forwarded-For`);
    /// cloning it does not allocate.
    pub fn peer_ip_value(&self) -> &HeaderValue {
        &self.peer_ip
    }
}
