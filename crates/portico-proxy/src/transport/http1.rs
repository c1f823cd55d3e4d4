//! A keep-alive pool of HTTP/1.1 connections to `http://` servers, each
//! connection driven by the task of the request using it.
//!
//! hyper-util's pooled client runs every connection in a task of its own and
//! hands requests and responses to it over channels; for plain HTTP/1.1 that is
//! a good part of the cost of forwarding a small request (about 7 % of the
//! instructions per request, measured with callgrind). Here the request's task
//! polls the connection while it waits for the response, and the response body
//! polls it while it is read; at the end of the body the connection goes back
//! to the pool. Upgrades, TLS and HTTP/2 keep going through hyper-util.
//!
//! Idle connections are checked when taken (a connection the server closed is
//! dropped then) and swept at most every [`SWEEP_EVERY`] when connections come
//! back: expired or closed ones are closed, and servers without idle
//! connections forgotten.

use std::{
    collections::HashMap,
    future::{Future, poll_fn},
    hash::{BuildHasherDefault, Hasher},
    io,
    pin::{Pin, pin},
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll, Waker},
    time::Duration,
};

use bytes::Bytes;
use http::{Response, uri::Authority};
use http_body::{Body as _, Frame, SizeHint};
use hyper::{
    body::Incoming,
    client::conn::http1::{Connection, SendRequest},
};
use hyper_util::rt::TokioIo;
use portico_core::{Body, HttpRequest};
use tokio::{net::TcpStream, time::Instant};

use super::TCP_KEEPALIVE;

/// Servers with idle connections kept at most; past this the pool starts over.
const MAX_SERVERS: usize = 4096;

/// How often, at most, idle connections are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

type Driver = Connection<TokioIo<TcpStream>, Body>;

/// The idle connections of every server.
#[derive(Debug)]
pub(crate) struct Http1Pool {
    state: Mutex<State>,
    dial_timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    max_idle_per_server: usize,
}

#[derive(Debug)]
struct State {
    idle: HashMap<Authority, Vec<Idle>, BuildHasherDefault<Fnv>>,
    swept: Instant,
}

/// A connection: the handle requests are sent on and the future that drives it.
struct Conn {
    sender: SendRequest<Body>,
    driver: Driver,
    /// Whether the driver has finished (the connection is closed).
    closed: bool,
}

#[derive(Debug)]
struct Idle {
    conn: Conn,
    since: Instant,
}

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Http1Error {
    /// No connection could be made.
    #[error("connect: {0}")]
    Connect(#[source] io::Error),
    /// The exchange failed after connecting.
    #[error("{0}")]
    Exchange(#[from] hyper::Error),
}

/// The outcome of one attempt.
pub(crate) struct Attempt {
    /// The response or the failure.
    pub(crate) result: Result<Response<Body>, Http1Error>,
    /// The request, when it was not written (it may go out on another connection).
    pub(crate) unsent: Option<HttpRequest>,
    /// Whether the connection came from the pool.
    pub(crate) reused: bool,
}

// === impl Http1Pool ===

impl Http1Pool {
    pub(crate) fn new(
        dial_timeout: Option<Duration>,
        idle_timeout: Option<Duration>,
        max_idle_per_server: usize,
    ) -> Http1Pool {
        Http1Pool {
            state: Mutex::new(State {
                idle: HashMap::default(),
                swept: Instant::now(),
            }),
            dial_timeout,
            idle_timeout,
            max_idle_per_server,
        }
    }

    /// Sends `request` (origin-form URI, `Host` set) to `server` on an idle
    /// connection, or on a new one when `fresh` or none is idle.
    pub(crate) async fn send(
        self: &Arc<Self>,
        server: &Authority,
        request: HttpRequest,
        fresh: bool,
    ) -> Attempt {
        let (mut conn, reused) = match (!fresh).then(|| self.checkout(server)).flatten() {
            Some(conn) => (conn, true),
            None => match self.connect(server).await {
                Ok(conn) => (conn, false),
                Err(e) => {
                    return Attempt {
                        result: Err(Http1Error::Connect(e)),
                        unsent: Some(request),
                        reused: false,
                    };
                }
            },
        };
        let sent = {
            let mut response = pin!(conn.sender.try_send_request(request));
            poll_fn(|cx| {
                conn.drive(cx);
                response.as_mut().poll(cx)
            })
            .await
        };
        match sent {
            Ok(response) => {
                let pool = self.clone();
                let server = server.clone();
                Attempt {
                    result: Ok(response.map(|body| {
                        Body::new(PooledBody {
                            body,
                            conn: Some(conn),
                            pool,
                            server,
                        })
                    })),
                    unsent: None,
                    reused,
                }
            }
            Err(mut error) => {
                let unsent = error.take_message();
                Attempt {
                    result: Err(Http1Error::Exchange(error.into_error())),
                    unsent,
                    reused,
                }
            }
        }
    }

    /// The most recently used idle connection of `server` that is still open
    /// and ready.
    fn checkout(&self, server: &Authority) -> Option<Conn> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let list = state.idle.get_mut(server)?;
        let now = Instant::now();
        while let Some(mut entry) = list.pop() {
            if !self.expired(&entry, now) && entry.conn.ready() {
                return Some(entry.conn);
            }
        }
        None
    }

    /// Puts a connection whose exchange is complete back, if it can be reused.
    fn checkin(&self, server: Authority, mut conn: Conn) {
        if self.max_idle_per_server == 0 || !conn.ready() {
            return;
        }
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if now.duration_since(state.swept) >= SWEEP_EVERY {
            state.swept = now;
            state.idle.retain(|_, list| {
                list.retain_mut(|entry| !self.expired(entry, now) && entry.conn.ready());
                !list.is_empty()
            });
        }
        if state.idle.len() >= MAX_SERVERS && !state.idle.contains_key(&server) {
            state.idle.clear();
        }
        let list = state.idle.entry(server).or_default();
        if list.len() >= self.max_idle_per_server {
            // The oldest goes: it is the likeliest to be closed by the server.
            list.remove(0);
        }
        list.push(Idle { conn, since: now });
    }

    fn expired(&self, entry: &Idle, now: Instant) -> bool {
        self.idle_timeout
            .is_some_and(|limit| now.duration_since(entry.since) >= limit)
    }

    async fn connect(&self, server: &Authority) -> io::Result<Conn> {
        let dial = async {
            let port = server.port_u16().unwrap_or(80);
            let host = server.host().trim_start_matches('[').trim_end_matches(']');
            let mut last = None;
            for addr in tokio::net::lookup_host((host, port)).await? {
                match TcpStream::connect(addr).await {
                    Ok(stream) => return Ok(stream),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| {
                io::Error::new(io::ErrorKind::NotFound, format!("{host}: no address"))
            }))
        };
        let stream = match self.dial_timeout {
            Some(limit) => tokio::time::timeout(limit, dial)
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "dial timeout"))??,
            None => dial.await?,
        };
        stream.set_nodelay(true)?;
        let keepalive = socket2::TcpKeepalive::new().with_time(TCP_KEEPALIVE);
        socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive)?;
        let (sender, driver) = hyper::client::conn::http1::Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(io::Error::other)?;
        Ok(Conn {
            sender,
            driver,
            closed: false,
        })
    }
}

// === impl Conn ===

impl Conn {
    /// Polls the connection's driver: it reads and writes for the exchange in
    /// progress, and notices a close.
    fn drive(&mut self, cx: &mut Context<'_>) {
        if !self.closed && Pin::new(&mut self.driver).poll(cx).is_ready() {
            self.closed = true;
        }
    }

    /// Whether a new request can be sent now.
    fn ready(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        self.drive(&mut cx);
        !self.closed && matches!(self.sender.poll_ready(&mut cx), Poll::Ready(Ok(())))
    }
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("closed", &self.closed)
            .finish()
    }
}

/// A response body that drives its connection and gives it back to the pool
/// once read to the end.
struct PooledBody {
    body: Incoming,
    conn: Option<Conn>,
    pool: Arc<Http1Pool>,
    server: Authority,
}

impl PooledBody {
    fn release(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.checkin(self.server.clone(), conn);
        }
    }
}

impl http_body::Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        if let Some(conn) = self.conn.as_mut() {
            conn.drive(cx);
        }
        let frame = Pin::new(&mut self.body).poll_frame(cx);
        match &frame {
            Poll::Ready(None) => self.release(),
            Poll::Ready(Some(Err(_))) => self.conn = None,
            _ => {}
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for PooledBody {
    fn drop(&mut self) {
        // Read to the end (or nothing to read): reusable. Dropped half-read: the
        // rest of the response is still on the wire, so the connection is closed.
        if self.body.is_end_stream() {
            self.release();
        }
    }
}

/// FNV-1a, for the few short authorities a pool holds.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}
