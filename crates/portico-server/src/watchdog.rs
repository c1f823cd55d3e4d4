//! Per-connection timeouts without a timer per request.
//!
//! Each connection has one [`ConnState`], shared by its I/O wrapper ([`WatchdogIo`])
//! and its service, and one sleep. The service records when requests start and
//! finish; the I/O wrapper records the first bytes of a new request. The sleep is
//! only looked at when it fires: then the current deadline is computed from the
//! state and either the connection is failed (the read returns `TimedOut`, which
//! makes hyper close it) or the sleep is re-armed. A request therefore costs a few
//! atomic stores, not a timer registration.
//!
//! Deadlines, as Go's `http.Server` applies Traefik's `respondingTimeouts`:
//! - **reading a request head** (from its first byte, or from accept for the first
//!   request): `readTimeout`;
//! - **request body still open**: `readTimeout` from the request's start;
//! - **response in progress**: `writeTimeout` from the request's start, if set;
//! - **idle keep-alive** (no request in flight): `idleTimeout` from the end of the
//!   last response;
//! - **upgraded** connections (WebSocket) have no deadline.

use std::{
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed},
    },
    task::{Context, Poll, ready},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    time::{Instant, Sleep},
};

/// The timeouts a connection enforces; `None` disables one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) read: Option<Duration>,
    pub(crate) write: Option<Duration>,
    pub(crate) idle: Option<Duration>,
}

/// What a connection is doing, shared by its I/O and its service.
#[derive(Debug)]
pub(crate) struct ConnState {
    epoch: Instant,
    in_flight: AtomicU32,
    open_bodies: AtomicU32,
    reading_head: AtomicBool,
    upgraded: AtomicBool,
    head_since: AtomicU64,
    idle_since: AtomicU64,
    request_since: AtomicU64,
}

/// An I/O stream that fails with `TimedOut` once its connection's deadline passes.
#[derive(Debug)]
pub(crate) struct WatchdogIo<T> {
    inner: T,
    state: Arc<ConnState>,
    limits: Limits,
    cap: Duration,
    sleep: Option<Pin<Box<Sleep>>>,
}

// === impl Limits ===

impl Limits {
    /// The shortest configured limit: the longest the sleep may be set ahead.
    ///
    /// Every deadline is a state change plus one of the limits, so it is at least
    /// this far after the change. A sleep never set further ahead than this is
    /// therefore examined at or before any deadline that can arise meanwhile, and
    /// is then re-armed to that deadline exactly.
    fn cap(&self) -> Option<Duration> {
        [self.read, self.write, self.idle]
            .into_iter()
            .flatten()
            .min()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

// === impl ConnState ===

impl ConnState {
    /// A connection just accepted: waiting for the first request head.
    pub(crate) fn new() -> Arc<ConnState> {
        Arc::new(ConnState {
            epoch: Instant::now(),
            in_flight: AtomicU32::new(0),
            open_bodies: AtomicU32::new(0),
            reading_head: AtomicBool::new(true),
            upgraded: AtomicBool::new(false),
            head_since: AtomicU64::new(0),
            idle_since: AtomicU64::new(0),
            request_since: AtomicU64::new(0),
        })
    }

    fn now(&self) -> u64 {
        millis(self.epoch.elapsed())
    }

    /// A request head was parsed and handed to the service.
    pub(crate) fn request_started(&self, body_open: bool) {
        self.reading_head.store(false, Relaxed);
        self.request_since.store(self.now(), Relaxed);
        if body_open {
            self.open_bodies.fetch_add(1, Relaxed);
        }
        self.in_flight.fetch_add(1, Relaxed);
    }

    /// A request body was read to its end (or dropped).
    pub(crate) fn body_finished(&self) {
        self.open_bodies.fetch_sub(1, Relaxed);
    }

    /// A response was written to its end (or abandoned).
    pub(crate) fn response_finished(&self) {
        if self.in_flight.fetch_sub(1, Relaxed) == 1 {
            self.idle_since.store(self.now(), Relaxed);
        }
    }

    /// The connection switched protocols: deadlines no longer apply.
    pub(crate) fn upgraded(&self) {
        self.upgraded.store(true, Relaxed);
    }

    fn bytes_read(&self) {
        if self.in_flight.load(Relaxed) == 0 && !self.reading_head.load(Relaxed) {
            self.head_since.store(self.now(), Relaxed);
            self.reading_head.store(true, Relaxed);
        }
    }

    /// The millisecond (since accept) at which the connection times out, if any.
    fn deadline(&self, limits: &Limits) -> Option<u64> {
        if self.upgraded.load(Relaxed) {
            return None;
        }
        if self.in_flight.load(Relaxed) > 0 {
            let since = self.request_since.load(Relaxed);
            let body = (self.open_bodies.load(Relaxed) > 0)
                .then_some(limits.read)
                .flatten()
                .map(|r| since.saturating_add(millis(r)));
            let write = limits.write.map(|w| since.saturating_add(millis(w)));
            return match (body, write) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        if self.reading_head.load(Relaxed) {
            limits
                .read
                .map(|r| self.head_since.load(Relaxed).saturating_add(millis(r)))
        } else {
            limits
                .idle
                .map(|i| self.idle_since.load(Relaxed).saturating_add(millis(i)))
        }
    }
}

// === impl WatchdogIo ===

impl<T> WatchdogIo<T> {
    pub(crate) fn new(inner: T, state: Arc<ConnState>, limits: Limits) -> WatchdogIo<T> {
        let cap = limits
            .cap()
            .unwrap_or(Duration::MAX)
            .max(Duration::from_millis(1));
        let sleep = limits
            .cap()
            .map(|_| Box::pin(tokio::time::sleep_until(state.epoch + cap)));
        WatchdogIo {
            inner,
            state,
            limits,
            cap,
            sleep,
        }
    }

    /// Called when the inner I/O is pending: `Some(error)` once the deadline passed.
    fn expired(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        let sleep = self.sleep.as_mut()?;
        loop {
            if sleep.as_mut().poll(cx).is_pending() {
                return None;
            }
            let now = self.state.now();
            let next = match self.state.deadline(&self.limits) {
                Some(deadline) if now >= deadline => {
                    return Some(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "connection deadline exceeded",
                    ));
                }
                Some(deadline) => Duration::from_millis(deadline - now).min(self.cap),
                None => self.cap,
            };
            sleep.as_mut().reset(Instant::now() + next);
        }
    }
}

use std::future::Future as _;

impl<T: AsyncRead + Unpin> AsyncRead for WatchdogIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.state.bytes_read();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match this.expired(cx) {
                Some(e) => Poll::Ready(Err(e)),
                None => Poll::Pending,
            },
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchdogIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Pending => match this.expired(cx) {
                Some(e) => Poll::Ready(Err(e)),
                None => Poll::Pending,
            },
            ready => ready,
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => match this.expired(cx) {
                Some(e) => Poll::Ready(Err(e)),
                None => Poll::Pending,
            },
            ready => ready,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests;
