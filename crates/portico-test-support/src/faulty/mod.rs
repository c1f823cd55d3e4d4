//! Fault-injecting HTTP/1.1 backends whose behaviour a test switches at runtime.
//!
//! A [`FaultyBackend`] listens on `127.0.0.1:0` and answers each request as its
//! current [`Fault`] says: healthy, a status code, hanging, resetting the
//! connection, answering only its health path wrongly, slowly, or closing
//! kept-alive connections. [`FaultyBackend::down`] closes the listener and every
//! connection (connections are refused) and [`FaultyBackend::up`] listens again
//! on the same port.
//!
//! Every request received is counted (in total and per path) and recorded
//! before the fault acts, and [`FaultyBackend::wait_requests`] /
//! [`FaultyBackend::wait_path`] wake as soon as a count is reached, so tests
//! never sleep to wait for traffic.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() {
//! use portico_test_support::{client, faulty::{self, Fault}};
//!
//! let backend = faulty::start("b1").await;
//! assert_eq!(client::get(backend.addr(), "b1", "/").await.header("x-backend"), Some("b1"));
//!
//! backend.set(Fault::HealthStatus(503));
//! assert_eq!(client::get(backend.addr(), "b1", "/health").await.status, 503);
//! assert_eq!(client::get(backend.addr(), "b1", "/").await.status, 200);
//!
//! backend.down().await; // connection refused
//! backend.up().await; // same port again
//! backend.wait_path("/health", 1).await;
//! # }
//! ```

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use http::{HeaderMap, StatusCode};
use tokio::{
    io::AsyncWriteExt,
    net::{TcpListener, TcpSocket, TcpStream},
    sync::{oneshot, watch},
    task::{JoinHandle, JoinSet},
};

mod wire;

use self::wire::Conn;

/// How a [`FaultyBackend`] answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Fault {
    /// `200 OK`, body and `X-Backend` header carrying the backend's name.
    #[default]
    Healthy,
    /// Every request (health path included) is answered with this status.
    Status(u16),
    /// Requests are read and never answered; the connection stays open until
    /// the peer closes it.
    Hang,
    /// The connection is reset (`SO_LINGER` 0, then closed: the peer sees a
    /// TCP RST) as soon as a request head has been read.
    Reset,
    /// The health path answers this status; every other path is healthy.
    HealthStatus(u16),
    /// Healthy, after waiting this long before answering.
    Delay(Duration),
    /// Healthy, but each connection is closed (FIN) right after its n-th
    /// response, without announcing `Connection: close`: a short keep-alive
    /// timeout on the backend side.
    CloseAfter(usize),
    /// Healthy for the first n requests of each connection; a later request on
    /// the same kept-alive connection is read, then the connection is closed
    /// without any response byte. A fresh connection is answered again. This is
    /// the stale keep-alive case, deterministically.
    AbortReused(usize),
}

/// One request a [`FaultyBackend`] received.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    /// Its method.
    pub method: String,
    /// Its path and query.
    pub target: String,
    /// Its headers.
    pub headers: HeaderMap,
    /// Which connection it came on (1 for the first accepted).
    pub connection: usize,
    /// Its position on that connection (1 for the first).
    pub on_connection: usize,
}

/// Counters of a [`FaultyBackend`].
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Requests received.
    pub total: usize,
    /// Requests received per path (without the query).
    pub per_path: BTreeMap<String, usize>,
    /// Connections accepted.
    pub connections: usize,
    /// Every request received, oldest first.
    pub requests: Vec<SeenRequest>,
}

/// A running fault-injecting backend; stopped when dropped.
#[derive(Debug)]
pub struct FaultyBackend {
    addr: SocketAddr,
    shared: Arc<Shared>,
    running: Mutex<Option<Running>>,
}

/// What the listener task and the handle share.
#[derive(Debug)]
struct Shared {
    name: String,
    health_path: Mutex<String>,
    fault: Mutex<Fault>,
    health_fault: Mutex<Option<Fault>>,
    stats: watch::Sender<Stats>,
}

/// A listening backend: its accept task and the signal that stops it.
#[derive(Debug)]
struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

/// Starts a healthy backend named `name` on `127.0.0.1:0`, with health path
/// `/health`.
pub async fn start(name: &str) -> FaultyBackend {
    let listener = bind("127.0.0.1:0".parse().expect("address")).expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let shared = Arc::new(Shared {
        name: name.to_owned(),
        health_path: Mutex::new("/health".to_owned()),
        fault: Mutex::new(Fault::Healthy),
        health_fault: Mutex::new(None),
        stats: watch::channel(Stats::default()).0,
    });
    let running = Running::spawn(listener, shared.clone());
    FaultyBackend {
        addr,
        shared,
        running: Mutex::new(Some(running)),
    }
}

/// A listener on `addr` with `SO_REUSEADDR`, so that a port just closed can be
/// bound again.
fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

// === impl FaultyBackend ===

impl FaultyBackend {
    /// The bound address (kept across [`FaultyBackend::down`] and
    /// [`FaultyBackend::up`]).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The backend's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Switches how requests are answered from now on (connections already open
    /// included).
    pub fn set(&self, fault: Fault) {
        *lock(&self.shared.fault) = fault;
    }

    /// The current fault.
    pub fn fault(&self) -> Fault {
        lock(&self.shared.fault).clone()
    }

    /// Overrides how the health path alone is answered (`None`: as the rest,
    /// see [`Fault::HealthStatus`]).
    pub fn set_health(&self, fault: Option<Fault>) {
        *lock(&self.shared.health_fault) = fault;
    }

    /// Changes the health path (default `/health`).
    pub fn set_health_path(&self, path: &str) {
        *lock(&self.shared.health_path) = path.to_owned();
    }

    /// Closes the listener and every open connection; connecting is refused
    /// once this returns.
    pub async fn down(&self) {
        let running = lock(&self.running).take();
        if let Some(running) = running {
            running.stop().await;
        }
    }

    /// Listens again on the same port (after [`FaultyBackend::down`]).
    ///
    /// # Panics
    ///
    /// When the port cannot be bound again (another socket took it meanwhile).
    pub async fn up(&self) {
        let mut running = lock(&self.running);
        if running.is_none() {
            let listener = bind(self.addr).expect("bind the same port again");
            *running = Some(Running::spawn(listener, self.shared.clone()));
        }
    }

    /// Whether the backend is listening.
    pub fn is_up(&self) -> bool {
        lock(&self.running).is_some()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats.borrow().clone()
    }

    /// Requests received so far.
    pub fn total(&self) -> usize {
        self.shared.stats.borrow().total
    }

    /// Requests received so far on `path` (without query).
    pub fn count(&self, path: &str) -> usize {
        self.shared
            .stats
            .borrow()
            .per_path
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.stats.borrow().connections
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.stats.borrow().requests.clone()
    }

    /// Forgets every counter and recorded request.
    pub fn clear_stats(&self) {
        self.shared.stats.send_modify(|stats| {
            let connections = stats.connections;
            *stats = Stats {
                connections,
                ..Stats::default()
            };
        });
    }

    /// Waits until `n` requests in total have been received.
    pub async fn wait_requests(&self, n: usize) {
        let mut stats = self.shared.stats.subscribe();
        let _ = stats.wait_for(|s| s.total >= n).await;
    }

    /// Waits until `n` requests on `path` have been received.
    pub async fn wait_path(&self, path: &str, n: usize) {
        let mut stats = self.shared.stats.subscribe();
        let _ = stats
            .wait_for(|s| s.per_path.get(path).copied().unwrap_or(0) >= n)
            .await;
    }
}

impl Drop for FaultyBackend {
    fn drop(&mut self) {
        if let Some(running) = lock(&self.running).take() {
            running.task.abort();
        }
    }
}

// === impl Running ===

impl Running {
    fn spawn(listener: TcpListener, shared: Arc<Shared>) -> Running {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept(listener, shared, stopped));
        Running { stop, task }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Accepts until told to stop, then closes the listener and every connection.
async fn accept(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let mut id = 0;
                shared.stats.send_modify(|s| {
                    s.connections += 1;
                    id = s.connections;
                });
                connections.spawn(serve(Conn::new(stream), shared.clone(), id));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

// === impl Shared ===

impl Shared {
    /// The fault that applies to a request for `path`.
    fn fault_for(&self, path: &str) -> Fault {
        let fault = lock(&self.fault).clone();
        if path == lock(&self.health_path).as_str() {
            if let Some(health) = lock(&self.health_fault).clone() {
                return health;
            }
            if let Fault::HealthStatus(code) = fault {
                return Fault::Status(code);
            }
        } else if let Fault::HealthStatus(_) = fault {
            return Fault::Healthy;
        }
        fault
    }

    fn record(&self, head: &wire::Head, connection: usize, on_connection: usize) {
        self.stats.send_modify(|s| {
            s.total += 1;
            *s.per_path.entry(head.path().to_owned()).or_default() += 1;
            s.requests.push(SeenRequest {
                method: head.method.clone(),
                target: head.target.clone(),
                headers: head.headers.clone(),
                connection,
                on_connection,
            });
        });
    }
}

/// Serves one connection, request after request, as the current fault says.
async fn serve(mut conn: Conn, shared: Arc<Shared>, connection: usize) {
    let mut served = 0;
    while let Ok(Some(head)) = conn.read_head().await {
        served += 1;
        let fault = shared.fault_for(head.path());
        shared.record(&head, connection, served);
        let status = match fault {
            Fault::Hang => return hang(conn.stream).await,
            Fault::Reset => return reset(conn.stream),
            Fault::AbortReused(n) if served > n => return,
            Fault::Status(code) => StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
            _ => StatusCode::OK,
        };
        if conn.skip_body(&head).await.is_err() {
            return;
        }
        if let Fault::Delay(delay) = fault {
            tokio::time::sleep(delay).await;
        }
        let name = shared.name.as_str();
        let answered = conn
            .respond(&head, status, &[("x-backend", name)], name)
            .await;
        let close_now = matches!(fault, Fault::CloseAfter(n) if served >= n);
        if answered.is_err() || head.close || close_now {
            let _ = conn.stream.shutdown().await;
            return;
        }
    }
}

/// Holds the connection open without answering until the peer closes it.
async fn hang(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    while matches!(tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await, Ok(n) if n > 0) {}
}

/// Closes with `SO_LINGER` 0: the peer gets a TCP RST.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

#[cfg(test)]
mod tests;
