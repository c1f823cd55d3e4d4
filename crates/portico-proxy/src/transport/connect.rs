//! The connector under every client: TCP (and TLS for `https://`), a bound on the
//! whole handshake, and the moment each connection was made.

use std::{
    future::Future,
    io,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use http::{Uri, uri::Authority};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::{
    client::legacy::connect::{Connected, Connection, HttpConnector},
    rt::TokioIo,
};
use portico_core::BoxError;
use tokio::{net::TcpStream, time::Instant};

/// Go's `TLSHandshakeTimeout`, added to the dial timeout for TLS connections.
pub(super) const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// When a backend connection was established, found in the `Connected` extras
/// of a client error: a connection made before the request started was reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Established(pub(crate) Instant);

/// Connects over an [`HttpsConnector`] (plain TCP for `http` URIs), bounds TLS
/// handshakes, and tags each connection with [`Established`].
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    inner: HttpsConnector<HttpConnector>,
    tls_timeout: Duration,
    /// Dial this server whatever the request URI names (the URI then carries the
    /// client's host, for HTTP/2's `:authority`).
    destination: Option<Authority>,
}

/// A connection tagged with the moment it was established.
#[derive(Debug)]
pub(crate) struct Tagged {
    io: MaybeHttpsStream<TokioIo<TcpStream>>,
    established: Instant,
}

type ConnectFuture = Pin<Box<dyn Future<Output = Result<Tagged, BoxError>> + Send>>;

// === impl Connector ===

impl Connector {
    /// TLS connections must be up within `dial_timeout` plus
    /// [`TLS_HANDSHAKE_TIMEOUT`] (only the latter without a dial timeout).
    pub(super) fn new(
        inner: HttpsConnector<HttpConnector>,
        dial_timeout: Option<Duration>,
    ) -> Connector {
        Connector {
            inner,
            tls_timeout: dial_timeout.unwrap_or_default() + TLS_HANDSHAKE_TIMEOUT,
            destination: None,
        }
    }

    /// The same connector, always dialling `destination` (TLS names included).
    pub(super) fn to(&self, destination: Authority) -> Connector {
        Connector {
            destination: Some(destination),
            ..self.clone()
        }
    }
}

impl tower::Service<Uri> for Connector {
    type Response = Tagged;
    type Error = BoxError;
    type Future = ConnectFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut dst: Uri) -> ConnectFuture {
        if let Some(destination) = &self.destination {
            let mut parts = dst.into_parts();
            parts.authority = Some(destination.clone());
            match Uri::from_parts(parts) {
                Ok(uri) => dst = uri,
                Err(error) => return Box::pin(std::future::ready(Err(error.into()))),
            }
        }
        let is_tls = dst.scheme() == Some(&http::uri::Scheme::HTTPS);
        let limit = self.tls_timeout;
        let connecting = self.inner.call(dst);
        Box::pin(async move {
            let io = if is_tls {
                match tokio::time::timeout(limit, connecting).await {
                    Ok(result) => result?,
                    Err(_) => {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "tls connection not established in time",
                        )
                        .into());
                    }
                }
            } else {
                connecting.await?
            };
            Ok(Tagged {
                io,
                established: Instant::now(),
            })
        })
    }
}

// === impl Tagged ===

impl Connection for Tagged {
    fn connected(&self) -> Connected {
        self.io.connected().extra(Established(self.established))
    }
}

impl Read for Tagged {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for Tagged {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
