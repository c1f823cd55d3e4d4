//! A keep-alive pool of HTTP/1.1 connections to `http://` servers, and the
//! exchanges on them, driven by the task of the request.
//!
//! hyper-util's pooled client runs every connection in a task of its own and
//! hands requests and responses to it over channels, and hyper's client
//! connection adds a dispatcher in between; for a small request that machinery
//! was a third of the instructions spent forwarding it (callgrind). Here the
//! request's task writes the request and reads the response head itself, and
//! the response body reads the rest; at the end of the body the connection goes
//! back to the pool. httparse parses response heads and chunk sizes.
//!
//! - `request`: the request head encoded once (resent as is on a second
//!   attempt), the body framed by `Content-Length` or chunked coding.
//! - `response`: the response head and how its body is delimited (RFC 9112).
//! - `body`: the response body (length, chunked with trailers, until close).
//! - `conn`: the socket and its read buffer.
//!
//! Idle connections are checked when taken (one the server closed, or that
//! received stray bytes, is dropped then) and swept at most every
//! [`SWEEP_EVERY`] when connections come back: expired or closed ones are
//! closed, and servers without idle connections forgotten. Upgrades, TLS and
//! HTTP/2 keep going through hyper-util.

mod body;
mod conn;
mod key;
mod request;
mod response;

use std::{
    collections::HashMap,
    future::poll_fn,
    io,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll, ready},
    time::Duration,
};

use fnv::FnvBuildHasher;
use http::{Response, StatusCode, uri::Authority};
use portico_core::Body;
use tokio::{net::TcpStream, time::Instant};

use self::{
    body::PooledBody,
    conn::Conn,
    request::{Upload, UploadError},
    response::{Framing, Head, HeadError, parse_head},
};
pub(crate) use self::{key::ServerKey, request::Outgoing};
use super::TCP_KEEPALIVE;
use crate::retry::is_closed;

/// Servers with idle connections kept at most; past this the pool starts over.
const MAX_SERVERS: usize = 4096;

/// How often, at most, idle connections are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

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
    /// FNV over the keys' precomputed hashes.
    idle: HashMap<ServerKey, Vec<Idle>, FnvBuildHasher>,
    swept: Instant,
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
    /// Writing the request failed (and no response came).
    #[error("writing the request: {0}")]
    Write(#[source] io::Error),
    /// The request body failed: the client went away, was too slow, or sent
    /// another length than it announced.
    #[error("reading the request body: {0}")]
    RequestBody(#[source] io::Error),
    /// Reading the response head failed.
    #[error("reading the response: {0}")]
    Read(#[source] io::Error),
    /// The backend closed the connection before a complete response head.
    #[error("connection closed before a response")]
    Closed,
    /// The response head was refused.
    #[error(transparent)]
    Head(#[from] HeadError),
}

/// The outcome of one attempt.
#[derive(Debug)]
pub(crate) struct Attempt {
    /// The response or the failure.
    pub(crate) result: Result<Response<Body>, Http1Error>,
    /// The request, when it may go out on another connection: it was never
    /// written, or it is replayable and the connection closed before answering.
    pub(crate) again: Option<Outgoing>,
    /// Whether the connection came from the pool.
    pub(crate) reused: bool,
}

// === impl Http1Error ===

impl Http1Error {
    /// Whether the connection was closed or reset before an answer.
    pub(crate) fn closed_before_answer(&self) -> bool {
        match self {
            Http1Error::Closed => true,
            Http1Error::Write(e) | Http1Error::Read(e) => {
                is_closed(e.kind()) || e.kind() == io::ErrorKind::UnexpectedEof
            }
            Http1Error::Connect(_) | Http1Error::RequestBody(_) | Http1Error::Head(_) => false,
        }
    }
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

    /// Sends `outgoing` to `server` on an idle connection, or on a new one when
    /// `fresh` or none is idle, and reads the response head.
    pub(crate) async fn send(
        self: &Arc<Self>,
        server: &ServerKey,
        mut outgoing: Outgoing,
        fresh: bool,
    ) -> Attempt {
        let (mut conn, reused) = match (!fresh).then(|| self.checkout(server)).flatten() {
            Some(conn) => (conn, true),
            // Boxed: dialing is rare on a warm pool, and its state would otherwise
            // be part of every exchange's future.
            None => match Box::pin(self.connect(server.authority())).await {
                Ok(conn) => (conn, false),
                Err(e) => {
                    return Attempt {
                        result: Err(Http1Error::Connect(e)),
                        again: Some(outgoing),
                        reused: false,
                    };
                }
            },
        };
        let mut upload = outgoing.upload();
        let mut write_error = None;
        let is_head = outgoing.is_head;
        let head =
            poll_fn(|cx| poll_head(&mut conn, &mut upload, &mut write_error, is_head, cx)).await;
        match head {
            Ok(head) => Attempt {
                result: Ok(self.respond(server, conn, upload, head)),
                again: None,
                reused,
            },
            Err(error) => {
                let again =
                    !upload.wrote_any || (outgoing.replayable && error.closed_before_answer());
                Attempt {
                    again: again.then(|| outgoing.again(upload)),
                    result: Err(error),
                    reused,
                }
            }
        }
    }

    /// The response with its body; a connection whose response is already
    /// complete goes straight back to the pool.
    fn respond(
        self: &Arc<Self>,
        server: &ServerKey,
        mut conn: Conn,
        upload: Upload,
        head: Head,
    ) -> Response<Body> {
        let Head {
            response,
            framing,
            keep_alive,
        } = head;
        let uploaded = upload.is_done();
        let body = match framing {
            Framing::Empty => {
                if keep_alive && uploaded {
                    self.checkin(server.clone(), conn);
                }
                Body::empty()
            }
            Framing::Length(n) if uploaded && conn.read_buf.len() as u64 >= n => {
                // `n` <= the buffered length, a `usize`.
                let data = conn.read_buf.split_to(n as usize).freeze();
                if keep_alive {
                    self.checkin(server.clone(), conn);
                }
                if data.is_empty() {
                    Body::empty()
                } else {
                    Body::from(data)
                }
            }
            framing => Body::new(PooledBody::new(
                conn,
                (!uploaded).then_some(upload),
                framing,
                keep_alive,
                self.clone(),
                server.clone(),
            )),
        };
        response.map(|()| body)
    }

    /// The most recently used idle connection of `server` that is still open
    /// and clean.
    fn checkout(&self, server: &ServerKey) -> Option<Conn> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let list = state.idle.get_mut(server)?;
        let now = Instant::now();
        while let Some(entry) = list.pop() {
            if !self.expired(&entry, now) && entry.conn.is_clean() {
                return Some(entry.conn);
            }
        }
        None
    }

    /// Puts a connection whose exchange is complete back, if it can be reused.
    /// A close or stray bytes arriving from now on are noticed at checkout.
    fn checkin(&self, server: ServerKey, conn: Conn) {
        if self.max_idle_per_server == 0 || !conn.read_buf.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if now.duration_since(state.swept) >= SWEEP_EVERY {
            state.swept = now;
            state.idle.retain(|_, list| {
                list.retain(|entry| !self.expired(entry, now) && entry.conn.is_clean());
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
        Ok(Conn::new(stream))
    }
}

/// Writes the request and reads up to a final response head (1xx
/// informational responses are skipped). A failed write stops the writing but
/// not the reading: a backend may answer, then close, before taking the whole
/// body; without an answer, the write error is the outcome. A failed request
/// body ends the exchange at once: the backend would wait for the rest.
fn poll_head(
    conn: &mut Conn,
    upload: &mut Upload,
    write_error: &mut Option<io::Error>,
    is_head: bool,
    cx: &mut Context<'_>,
) -> Poll<Result<Head, Http1Error>> {
    if write_error.is_none() && !upload.is_done() {
        match upload.poll_write(&mut conn.stream, cx) {
            Poll::Ready(Err(UploadError::Socket(e))) => *write_error = Some(e),
            Poll::Ready(Err(UploadError::Body(e))) => {
                return Poll::Ready(Err(Http1Error::RequestBody(e)));
            }
            Poll::Ready(Ok(())) | Poll::Pending => {}
        }
    }
    loop {
        if !conn.read_buf.is_empty()
            && let Some(head) = parse_head(&mut conn.read_buf, is_head)?
        {
            let status = head.response.status();
            if status.is_informational() && status != StatusCode::SWITCHING_PROTOCOLS {
                continue;
            }
            return Poll::Ready(Ok(head));
        }
        match ready!(conn.poll_fill(cx)) {
            Ok(n) if n > 0 => {}
            result => {
                return Poll::Ready(Err(match (write_error.take(), result) {
                    (Some(e), _) => Http1Error::Write(e),
                    (None, Ok(_)) => Http1Error::Closed,
                    (None, Err(e)) => Http1Error::Read(e),
                }));
            }
        }
    }
}
