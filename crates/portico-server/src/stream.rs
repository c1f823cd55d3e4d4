//! The stream of an accepted connection: plain, or TLS over it.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
};
use tokio_rustls::server::TlsStream;

use crate::watchdog::WatchdogIo;

/// A connection as hyper sees it: the timeout-watching TCP stream, or TLS
/// terminated over it (the handshake itself is then watched too).
#[derive(Debug)]
pub(crate) enum ConnStream {
    /// Plain HTTP.
    Plain(WatchdogIo<TcpStream>),
    /// TLS-terminated.
    Tls(Box<TlsStream<WatchdogIo<TcpStream>>>),
}

impl AsyncRead for ConnStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ConnStream::Plain(io) => Pin::new(io).poll_read(cx, buf),
            ConnStream::Tls(io) => Pin::new(io.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for ConnStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ConnStream::Plain(io) => Pin::new(io).poll_write(cx, buf),
            ConnStream::Tls(io) => Pin::new(io.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            ConnStream::Plain(io) => Pin::new(io).poll_write_vectored(cx, bufs),
            ConnStream::Tls(io) => Pin::new(io.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            ConnStream::Plain(io) => io.is_write_vectored(),
            ConnStream::Tls(io) => io.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ConnStream::Plain(io) => Pin::new(io).poll_flush(cx),
            ConnStream::Tls(io) => Pin::new(io.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            ConnStream::Plain(io) => Pin::new(io).poll_shutdown(cx),
            ConnStream::Tls(io) => Pin::new(io.as_mut()).poll_shutdown(cx),
        }
    }
}
