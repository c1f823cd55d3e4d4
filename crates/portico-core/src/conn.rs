//! Connection facts carried in request extensions.

use std::{net::SocketAddr, sync::Arc};

/// What the entrypoint knows about the connection a request arrived on.
///
/// The entrypoint inserts one into the extensions of every request it accepts;
/// rules (`ClientIP`), forwarded headers and access logs read it from there.
///
/// # Example
///
/// ```
/// use portico_core::ConnectionInfo;
/// use std::sync::Arc;
///
/// let info = ConnectionInfo {
///     peer: "192.0.2.7:53211".parse().unwrap(),
///     local: "127.0.0.1:80".parse().unwrap(),
///     entrypoint: Arc::from("web"),
///     tls: false,
/// };
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(info);
/// let peer = request.extensions().get::<ConnectionInfo>().map(|c| c.peer.ip());
/// assert_eq!(peer, Some("192.0.2.7".parse().unwrap()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// The client's address as seen on the socket.
    pub peer: SocketAddr,
    /// The local address the client connected to.
    pub local: SocketAddr,
    /// The name of the entrypoint that accepted the connection.
    pub entrypoint: Arc<str>,
    /// Whether the connection is TLS-terminated by the entrypoint.
    pub tls: bool,
}
