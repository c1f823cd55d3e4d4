//! Binding a listener and serving the router on it (HTTP/1.1 and h2c with prior knowledge).

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::serve::ListenerExt;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;

use crate::Whoami;

/// Backlog of the dual-stack listener [`bind`] creates for `:port`.
const BACKLOG: i32 = 1024;

/// Serves a [`Whoami`] named `name` on `listener` until `shutdown` completes.
///
/// Each connection speaks HTTP/1.1 (with upgrades, for the WebSocket echo) or HTTP/2 when the
/// client starts with the h2c prior-knowledge preface. When `shutdown` completes the listener
/// stops accepting and the call returns once every open connection has finished; an upgraded
/// WebSocket no longer counts as a connection, but an open `/sse` stream does.
///
/// # Errors
///
/// Returns the error that stops the accept loop. Per-connection errors are only logged.
pub async fn serve(
    listener: TcpListener,
    name: Option<String>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    Whoami::new(name).serve(listener, shutdown).await
}

/// Binds a TCP listener in the address forms Traefik uses for entry points.
///
/// - `:9000` listens on every interface: IPv6 and IPv4 on one dual-stack socket, or IPv4
///   alone (`0.0.0.0:9000`) where IPv6 is not available;
/// - `127.0.0.1:9000`, `[::1]:9000` and `localhost:9000` bind what they name.
///
/// # Errors
///
/// Fails when the address does not parse or the socket cannot be bound; the message names
/// the address.
pub async fn bind(addr: &str) -> io::Result<TcpListener> {
    let result = match addr.strip_prefix(':') {
        Some(port) => match port.parse::<u16>() {
            Ok(port) => bind_any(port),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid port {port:?}"),
            )),
        },
        None => TcpListener::bind(addr).await,
    };
    result.map_err(|error| io::Error::new(error.kind(), format!("cannot bind {addr:?}: {error}")))
}

/// Binds `[::]:port` accepting IPv4 too, or `0.0.0.0:port` where IPv6 is unavailable.
fn bind_any(port: u16) -> io::Result<TcpListener> {
    match bind_dual_stack(port) {
        Ok(listener) => Ok(listener),
        Err(error) => {
            tracing::debug!(%error, port, "no dual-stack socket; binding IPv4 only");
            let std = std::net::TcpListener::bind((Ipv4Addr::UNSPECIFIED, port))?;
            std.set_nonblocking(true)?;
            TcpListener::from_std(std)
        }
    }
}

fn bind_dual_stack(port: u16) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::IPV6, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_only_v6(false)?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)).into())?;
    socket.listen(BACKLOG)?;
    socket.set_nonblocking(true)?;
    TcpListener::from_std(socket.into())
}

pub(crate) async fn run(
    whoami: Whoami,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let local = listener.local_addr()?;
    tracing::info!(address = %local, name = ?whoami.name(), "whoami listening");
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::trace!(%error, "cannot set TCP_NODELAY");
        }
    });
    let app = whoami
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
