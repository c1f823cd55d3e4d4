//! Binding listeners for entrypoint addresses.

use std::{
    io,
    net::{Ipv6Addr, SocketAddr, TcpListener, ToSocketAddrs},
};

use portico_config::model::ListenAddress;
use socket2::{Domain, Protocol, Socket, Type};

/// A listener that could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {address}: {source}")]
pub struct BindError {
    /// The address as configured.
    pub address: String,
    /// Why.
    #[source]
    pub source: io::Error,
}

/// Binds a non-blocking listener for `address`.
///
/// `:port` listens on every interface, IPv4 and IPv6 (one dual-stack socket, or
/// IPv4 only where the machine has no IPv6). Host names are resolved now and the
/// first address that binds is used.
///
/// # Example
///
/// ```
/// use portico_config::model::ListenAddress;
///
/// let listener = portico_server::bind(&ListenAddress::parse("127.0.0.1:0").unwrap()).unwrap();
/// assert_ne!(listener.local_addr().unwrap().port(), 0);
/// ```
pub fn bind(address: &ListenAddress) -> Result<TcpListener, BindError> {
    bind_with(address, false)
}

/// [`bind`], with `SO_REUSEPORT` when `reuse_port` is set (several processes may
/// then listen on the same port; the kernel spreads connections between them).
pub fn bind_with(address: &ListenAddress, reuse_port: bool) -> Result<TcpListener, BindError> {
    let bind_socket = |addr| bind_socket(addr, reuse_port);
    let error = |source| BindError {
        address: address.to_string(),
        source,
    };
    match address {
        ListenAddress::AllInterfaces { port } => {
            let any_v6 = SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), *port);
            match bind_socket(any_v6) {
                Ok(listener) => Ok(listener),
                Err(e) if ipv6_unavailable(&e) => {
                    bind_socket(SocketAddr::from(([0, 0, 0, 0], *port))).map_err(error)
                }
                Err(e) => Err(error(e)),
            }
        }
        ListenAddress::Ip(addr) => bind_socket(*addr).map_err(error),
        ListenAddress::Host { host, port } => {
            let candidates = (host.as_str(), *port).to_socket_addrs().map_err(error)?;
            let mut last = io::Error::new(io::ErrorKind::NotFound, "host resolves to no address");
            for addr in candidates {
                match bind_socket(addr) {
                    Ok(listener) => return Ok(listener),
                    Err(e) => last = e,
                }
            }
            Err(error(last))
        }
    }
}

fn bind_socket(addr: SocketAddr, reuse_port: bool) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

fn ipv6_unavailable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::AddrNotAvailable | io::ErrorKind::Unsupported
    ) || e.raw_os_error() == Some(97) // EAFNOSUPPORT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_in_use_is_reported_with_the_address() {
        let first = bind(&ListenAddress::parse("127.0.0.1:0").unwrap()).unwrap();
        let taken = first.local_addr().unwrap();
        let again = ListenAddress::Ip(taken);
        let err = bind(&again).unwrap_err();
        assert_eq!(err.source.kind(), io::ErrorKind::AddrInUse);
        assert!(err.to_string().contains(&taken.to_string()), "{err}");
    }

    #[test]
    fn all_interfaces_accepts_ipv4_loopback() {
        let listener = bind(&ListenAddress::AllInterfaces { port: 0 }).unwrap();
        let port = listener.local_addr().unwrap().port();
        std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    }

    #[test]
    fn reuse_port_lets_two_listeners_share_a_port() {
        let first = bind_with(&ListenAddress::parse("127.0.0.1:0").unwrap(), true).unwrap();
        let addr = ListenAddress::Ip(first.local_addr().unwrap());
        let second = bind_with(&addr, true).unwrap();
        assert_eq!(first.local_addr().unwrap(), second.local_addr().unwrap());
    }

    #[test]
    fn host_names_resolve() {
        let listener = bind(&ListenAddress::parse("localhost:0").unwrap()).unwrap();
        assert!(listener.local_addr().unwrap().ip().is_loopback());
    }
}
