//! Helpers shared by the composite-service tests: in-process children that
//! count their calls, and real HTTP backends on `127.0.0.1:0` reached through
//! `portico_proxy::Forwarder`.

#![allow(dead_code, unreachable_pub)]

use std::{
    convert::Infallible,
    future::Future,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::extract::Request;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use portico_core::{
    Body, BoxHttpService, ConnectionInfo, HttpRequest, HttpResponse, box_http_service,
};
use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
use tokio::sync::mpsc;

/// Call counter of an in-process child.
#[derive(Clone, Debug, Default)]
pub struct Calls(Arc<AtomicUsize>);

impl Calls {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A child answering `status` with its name as the body, counting its calls.
pub fn child_with_status(name: &'static str, status: StatusCode) -> (BoxHttpService, Calls) {
    let calls = Calls::default();
    let counter = calls.clone();
    let service = box_http_service(tower::service_fn(move |_req: HttpRequest| {
        counter.0.fetch_add(1, Ordering::SeqCst);
        async move {
            let mut response = HttpResponse::new(Body::from(name));
            *response.status_mut() = status;
            Ok::<_, Infallible>(response)
        }
    }));
    (service, calls)
}

/// A child answering `200` with its name as the body, counting its calls.
pub fn child(name: &'static str) -> (BoxHttpService, Calls) {
    child_with_status(name, StatusCode::OK)
}

/// A child that counts its calls and never answers.
pub fn hanging_child() -> (BoxHttpService, Calls) {
    let calls = Calls::default();
    let counter = calls.clone();
    let service = box_http_service(tower::service_fn(move |_req: HttpRequest| {
        counter.0.fetch_add(1, Ordering::SeqCst);
        std::future::pending::<Result<HttpResponse, Infallible>>()
    }));
    (service, calls)
}

/// A request from the client `ip` (as the entrypoint would tag it).
pub fn request_from(ip: &str) -> HttpRequest {
    let mut request = HttpRequest::new(Body::empty());
    let peer = SocketAddr::new(ip.parse().expect("test ip"), 40000);
    let local = "127.0.0.1:80".parse().expect("local address");
    request
        .extensions_mut()
        .insert(ConnectionInfo::new(peer, local, "web".into(), false));
    request
}

/// The body of `response` as text.
pub async fn text(response: HttpResponse) -> String {
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("response body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Waits (up to 5 s of real time) until `check` holds.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// What a backend received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A real HTTP/1.1 backend on `127.0.0.1:0` recording each request.
#[derive(Debug)]
pub struct Backend {
    pub addr: SocketAddr,
    pub seen: mpsc::UnboundedReceiver<Seen>,
}

impl Backend {
    /// The next request the backend received (waits up to 5 s).
    pub async fn next(&mut self) -> Seen {
        tokio::time::timeout(Duration::from_secs(5), self.seen.recv())
            .await
            .expect("backend saw no request in time")
            .expect("backend stopped")
    }

    /// Whether the backend received nothing more (waiting `wait` first).
    pub async fn saw_nothing_within(&mut self, wait: Duration) -> bool {
        tokio::time::sleep(wait).await;
        self.seen.try_recv().is_err()
    }

    /// A service forwarding to this backend through `portico_proxy::Forwarder`.
    pub fn service(&self) -> BoxHttpService {
        forward_to(self.addr)
    }
}

/// A backend answering `status` with `name` as the body.
pub async fn backend(name: &'static str, status: StatusCode) -> Backend {
    serve(name, status, false).await
}

/// A backend that records each request, then never answers.
pub async fn hanging_backend() -> Backend {
    serve("hang", StatusCode::OK, true).await
}

async fn serve(name: &'static str, status: StatusCode, hang: bool) -> Backend {
    let (tx, seen) = mpsc::unbounded_channel();
    let app = axum::Router::new().fallback(move |request: Request| {
        let tx = tx.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            let _ = tx.send(Seen {
                method: parts.method,
                path_and_query: parts
                    .uri
                    .path_and_query()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                headers: parts.headers,
                body,
            });
            if hang {
                std::future::pending::<()>().await;
            }
            (status, name)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind backend");
    let addr = listener.local_addr().expect("backend address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Backend { addr, seen }
}

/// A service forwarding every request to `addr`.
pub fn forward_to(addr: SocketAddr) -> BoxHttpService {
    let forwarder = Forwarder::new(
        Transport::new(&TransportSettings::default())
            .expect("default transport settings are valid"),
    );
    let target = Arc::new(Target::parse(&format!("http://{addr}")).expect("target url"));
    box_http_service(tower::service_fn(move |request: HttpRequest| {
        let forwarder = forwarder.clone();
        let target = target.clone();
        async move {
            Ok::<_, Infallible>(match forwarder.forward(request, &target).await {
                Ok(response) => response,
                Err(error) => error.into_response(),
            })
        }
    }))
}

/// Runs `future` with a real-time bound, failing the test when it is slower.
pub async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {limit:?}"))
}
