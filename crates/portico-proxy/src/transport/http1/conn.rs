//! One HTTP/1.1 connection to a backend: the socket and what was read from it.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll, Waker},
};

use bytes::BytesMut;
use tokio::net::TcpStream;

/// What a read asks the socket for at least, and what a buffer starts with.
const READ_CHUNK: usize = 8 * 1024;

/// A connection between exchanges, or the one an exchange runs on.
#[derive(Debug)]
pub(super) struct Conn {
    pub(super) stream: TcpStream,
    /// Bytes read and not yet consumed (a response head or body in progress).
    pub(super) read_buf: BytesMut,
}

// === impl Conn ===

impl Conn {
    pub(super) fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            read_buf: BytesMut::new(),
        }
    }

    /// Whether an idle connection can carry a new exchange: nothing arrived on
    /// it since its last response (neither a close nor stray bytes).
    ///
    /// It costs no system call while the socket has not become readable.
    pub(super) fn is_clean(&self) -> bool {
        if !self.read_buf.is_empty() {
            return false;
        }
        let mut cx = Context::from_waker(Waker::noop());
        match self.stream.poll_read_ready(&mut cx) {
            Poll::Pending => true,
            Poll::Ready(Err(_)) => false,
            // Readable: a close, bytes, or readiness left from the last read.
            Poll::Ready(Ok(())) => {
                let mut probe = [0; 1];
                matches!(self.stream.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            }
        }
    }

    /// Reads more into [`Conn::read_buf`]; `Ok(0)` when the backend closed.
    pub(super) fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.read_buf.capacity() - self.read_buf.len() < READ_CHUNK / 4 {
            self.read_buf.reserve(READ_CHUNK);
        }
        tokio_util::io::poll_read_buf(Pin::new(&mut self.stream), cx, &mut self.read_buf)
    }
}
