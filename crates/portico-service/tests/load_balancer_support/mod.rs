//! Helpers of the load balancer and health check tests: real backends on
//! `127.0.0.1:0` whose health answer can be changed, that can die and come back on
//! the same port, hold requests, and speak the gRPC health protocol over h2c.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)] // a test panics on the unexpected

use std::{
    collections::VecDeque,
    convert::Infallible,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use portico_core::{Body, HttpResponse};
use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
use portico_service::LoadBalancer;
use tokio::{net::TcpListener, sync::Semaphore, task::JoinHandle};
use tower::ServiceExt as _;

/// What a backend answers on its health path (`/health`).
#[derive(Clone, Debug)]
pub enum Health {
    /// `200 ok`.
    Ok,
    /// This status.
    Status(u16),
    /// Never answers.
    Hang,
    /// `302` to this location.
    Redirect(&'static str),
    /// A gRPC `HealthCheckResponse` with this serving status (1 = SERVING).
    Grpc(u8),
    /// A trailers-only gRPC error with this `grpc-status`.
    GrpcError(u8),
}

/// What one backend does and has seen.
#[derive(Debug)]
pub struct State {
    pub name: &'static str,
    health: Mutex<Health>,
    /// Status of every other path.
    status: Mutex<StatusCode>,
    /// When set, non-health requests wait for a permit.
    hold: Mutex<Option<Arc<Semaphore>>>,
    pub probes: AtomicUsize,
    pub requests: AtomicUsize,
    pub held: AtomicUsize,
    pub last_probe: Mutex<Option<http::request::Parts>>,
}

/// A running backend; stopped when dropped.
#[derive(Debug)]
pub struct Backend {
    pub addr: SocketAddr,
    pub state: Arc<State>,
    task: Option<JoinHandle<()>>,
}

// === impl Backend ===

impl Backend {
    /// A backend answering `200 <name>` on every path but `/health`.
    pub async fn start(name: &'static str) -> Backend {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let state = Arc::new(State {
            name,
            health: Mutex::new(Health::Ok),
            status: Mutex::new(StatusCode::OK),
            hold: Mutex::new(None),
            probes: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            held: AtomicUsize::new(0),
            last_probe: Mutex::new(None),
        });
        let addr = listener.local_addr().expect("addr");
        let task = Some(tokio::spawn(serve(listener, state.clone())));
        Backend { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn target(&self) -> Arc<Target> {
        Arc::new(Target::parse(&self.url()).expect("target"))
    }

    pub fn set_health(&self, health: Health) {
        *self.state.health.lock().unwrap() = health;
    }

    pub fn set_status(&self, status: u16) {
        *self.state.status.lock().unwrap() = StatusCode::from_u16(status).unwrap();
    }

    /// Makes every later non-health request wait until [`Backend::release`].
    pub fn hold(&self) -> Arc<Semaphore> {
        let gate = Arc::new(Semaphore::new(0));
        *self.state.hold.lock().unwrap() = Some(gate.clone());
        gate
    }

    pub fn probes(&self) -> usize {
        self.state.probes.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Closes the listener and every connection, as a crashed process would.
    pub async fn kill(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    /// Listens again on the same port.
    pub async fn revive(&mut self) {
        let listener = TcpListener::bind(self.addr).await.expect("rebind");
        self.task = Some(tokio::spawn(serve(listener, self.state.clone())));
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

async fn serve(listener: TcpListener, state: Arc<State>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { return };
                let state = state.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(answer(&state, request).await) }
                    });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next() => {}
        }
    }
}

async fn answer(state: &State, request: Request<Incoming>) -> Response<Frames> {
    let (parts, body) = request.into_parts();
    let _ = body.collect().await;
    let path = parts.uri.path().to_owned();
    if path == "/health" || path == "/grpc.health.v1.Health/Check" {
        state.probes.fetch_add(1, Ordering::SeqCst);
        *state.last_probe.lock().unwrap() = Some(parts);
        let health = state.health.lock().unwrap().clone();
        return match health {
            Health::Ok => Frames::text(StatusCode::OK, "ok"),
            Health::Status(s) => Frames::text(StatusCode::from_u16(s).unwrap(), "health"),
            Health::Hang => std::future::pending().await,
            Health::Redirect(to) => {
                let mut r = Frames::text(StatusCode::FOUND, "");
                r.headers_mut()
                    .insert("location", HeaderValue::from_static(to));
                r
            }
            Health::Grpc(serving) => Frames::grpc(Some(serving), 0),
            Health::GrpcError(code) => Frames::grpc(None, code),
        };
    }
    state.requests.fetch_add(1, Ordering::SeqCst);
    let gate = state.hold.lock().unwrap().clone();
    if let Some(gate) = gate {
        state.held.fetch_add(1, Ordering::SeqCst);
        let _permit = gate.acquire().await;
    }
    let status = *state.status.lock().unwrap();
    Frames::text(status, state.name)
}

/// A response body of prepared frames (data, then trailers).
#[derive(Debug)]
pub struct Frames(VecDeque<Frame<Bytes>>);

impl Frames {
    fn text(status: StatusCode, text: &'static str) -> Response<Frames> {
        let mut response = Response::new(Frames(VecDeque::from([Frame::data(
            Bytes::from_static(text.as_bytes()),
        )])));
        *response.status_mut() = status;
        response
    }

    /// A gRPC answer: a `HealthCheckResponse{status}` message and `grpc-status: 0`
    /// trailers, or a trailers-only error.
    fn grpc(serving: Option<u8>, code: u8) -> Response<Frames> {
        let mut response = Response::new(Frames(VecDeque::new()));
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/grpc"));
        match serving {
            Some(status) => {
                let message = [0, 0, 0, 0, 2, 0x08, status];
                response
                    .body_mut()
                    .0
                    .push_back(Frame::data(Bytes::copy_from_slice(&message)));
                let mut trailers = HeaderMap::new();
                trailers.insert("grpc-status", HeaderValue::from_static("0"));
                response.body_mut().0.push_back(Frame::trailers(trailers));
            }
            None => {
                let headers = response.headers_mut();
                headers.insert("grpc-status", HeaderValue::from(u16::from(code)));
                headers.insert("grpc-message", HeaderValue::from_static("nope"));
            }
        }
        response
    }
}

impl http_body::Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.get_mut().0.pop_front().map(Ok))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }
}

pub fn forwarder() -> Forwarder {
    Forwarder::new(Transport::new(&TransportSettings::default()).expect("transport"))
}

/// One request through `lb`: status, body, `Set-Cookie`.
pub async fn get(lb: &LoadBalancer, cookie: Option<&str>) -> (StatusCode, String, Option<String>) {
    let mut request = Request::builder().uri("/app").header("host", "app.example");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let request = request.body(Body::empty()).expect("request");
    let response: HttpResponse = lb.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        String::from_utf8(body.to_vec()).expect("utf-8"),
        set_cookie,
    )
}

/// The body of one request through `lb`.
pub async fn body(lb: &LoadBalancer) -> String {
    get(lb, None).await.1
}

/// Waits (in steps of 10ms, time may be paused) until `check` holds.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Whether the server at `index` of `lb` is in rotation.
pub fn up(lb: &LoadBalancer, index: usize) -> bool {
    lb.statuses()[index].up
}
