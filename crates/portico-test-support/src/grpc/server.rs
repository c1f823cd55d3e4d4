//! The gRPC test server: the `Echo` service and `grpc.health.v1.Health`, served
//! by hyper over h2c or TLS.

use std::{
    convert::Infallible,
    future::{Ready, ready},
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use futures_util::{StreamExt, stream::BoxStream};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpListener,
    task::{JoinHandle, JoinSet},
};
use tokio_rustls::TlsAcceptor;
use tonic::{
    Code, Status, Streaming,
    server::{Grpc, ServerStreamingService, StreamingService},
};
use tonic_health::{
    ServingStatus,
    pb::health_server::HealthServer,
    server::{HealthReporter, HealthService},
};
use tonic_prost::ProstCodec;
use tower::Service;

use super::proto::{ECHO_SERVICE, EchoReply, EchoRequest, STREAM_PATH, UNARY_PATH};
use crate::{
    https::{ServerTls, server_config},
    tls::Leaf,
};

/// A running gRPC server; stopped when dropped.
#[derive(Debug)]
pub struct GrpcServer {
    addr: SocketAddr,
    tls: bool,
    state: Arc<State>,
    reporter: HealthReporter,
    task: JoinHandle<()>,
}

/// What every connection of one server shares.
#[derive(Debug)]
struct State {
    name: Arc<str>,
    calls: AtomicUsize,
    health: HealthServer<HealthService>,
}

/// The unary `Echo/Unary` method. It is served as a server-streaming call so
/// that its errors can travel in real trailers (after response headers) as
/// well as in a trailers-only response.
struct Unary {
    server: Arc<str>,
    authority: Arc<str>,
}

/// The bidirectional `Echo/Stream` method: one reply per request, as each
/// arrives.
struct Bidi {
    server: Arc<str>,
    authority: Arc<str>,
}

/// The state of one `Echo/Stream` call between messages.
struct Echoing {
    inbound: Streaming<EchoRequest>,
    server: Arc<str>,
    authority: Arc<str>,
}

type Replies = BoxStream<'static, Result<EchoReply, Status>>;

/// Starts a gRPC server named `name` speaking cleartext HTTP/2 (h2c) on
/// `127.0.0.1:0`.
pub async fn h2c(name: &str) -> GrpcServer {
    start(name, None).await
}

/// Starts a gRPC server named `name` speaking HTTP/2 over TLS (ALPN `h2`) with
/// the certificate `leaf` on `127.0.0.1:0`.
pub async fn tls(name: &str, leaf: &Leaf) -> GrpcServer {
    let config = server_config(leaf, &ServerTls::default().alpn(&["h2"]));
    start(name, Some(TlsAcceptor::from(config))).await
}

async fn start(name: &str, tls: Option<TlsAcceptor>) -> GrpcServer {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let reporter = HealthReporter::new();
    reporter
        .set_service_status(ECHO_SERVICE, ServingStatus::Serving)
        .await;
    let state = Arc::new(State {
        name: Arc::from(name),
        calls: AtomicUsize::new(0),
        health: HealthServer::new(HealthService::from_health_reporter(reporter.clone())),
    });
    let serving = state.clone();
    let is_tls = tls.is_some();
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        while let Ok((tcp, _)) = listener.accept().await {
            let state = serving.clone();
            let tls = tls.clone();
            connections.spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            serve_connection(stream, state).await;
                        }
                    }
                    None => serve_connection(tcp, state).await,
                }
            });
        }
    });
    GrpcServer {
        addr,
        tls: is_tls,
        state,
        reporter,
        task,
    }
}

async fn serve_connection<I>(io: I, state: Arc<State>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request| route(state.clone(), request));
    let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// Dispatches one request by its path.
async fn route(
    state: Arc<State>,
    request: http::Request<Incoming>,
) -> Result<http::Response<tonic::body::Body>, Infallible> {
    state.calls.fetch_add(1, Ordering::SeqCst);
    let path = request.uri().path().to_owned();
    if path.starts_with("/grpc.health.v1.Health/") {
        let mut health = state.health.clone();
        return health.call(request).await;
    }
    let authority: Arc<str> = request
        .uri()
        .authority()
        .map(|a| a.as_str())
        .or_else(|| {
            request
                .headers()
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
        })
        .unwrap_or_default()
        .into();
    let server = state.name.clone();
    let mut grpc = Grpc::new(ProstCodec::<EchoReply, EchoRequest>::default());
    let response = match path.as_str() {
        UNARY_PATH => {
            grpc.server_streaming(Unary { server, authority }, request)
                .await
        }
        STREAM_PATH => grpc.streaming(Bidi { server, authority }, request).await,
        _ => Status::unimplemented(format!("no method {path}")).into_http(),
    };
    Ok(response)
}

/// The reply to `request`, or the error it asks for.
fn answer(request: &EchoRequest, server: &str, authority: &str) -> Result<EchoReply, Status> {
    if request.error_code != 0 {
        return Err(Status::new(
            Code::from(request.error_code),
            request.error_message.clone(),
        ));
    }
    Ok(EchoReply {
        message: request.message.clone(),
        server: server.to_owned(),
        authority: authority.to_owned(),
    })
}

// === impl Unary ===

impl ServerStreamingService<EchoRequest> for Unary {
    type Response = EchoReply;
    type ResponseStream = Replies;
    type Future = Ready<Result<tonic::Response<Replies>, Status>>;

    fn call(&mut self, request: tonic::Request<EchoRequest>) -> Self::Future {
        let request = request.into_inner();
        let result = match answer(&request, &self.server, &self.authority) {
            Err(status) if request.trailers_only => Err(status),
            item => Ok(tonic::Response::new(
                futures_util::stream::once(ready(item)).boxed(),
            )),
        };
        ready(result)
    }
}

// === impl Bidi ===

impl StreamingService<EchoRequest> for Bidi {
    type Response = EchoReply;
    type ResponseStream = Replies;
    type Future = Ready<Result<tonic::Response<Replies>, Status>>;

    fn call(&mut self, request: tonic::Request<Streaming<EchoRequest>>) -> Self::Future {
        let echoing = Echoing {
            inbound: request.into_inner(),
            server: self.server.clone(),
            authority: self.authority.clone(),
        };
        let replies = futures_util::stream::unfold(Some(echoing), |echoing| async move {
            let mut echoing = echoing?;
            match echoing.inbound.message().await {
                Ok(Some(request)) => {
                    match answer(&request, &echoing.server, &echoing.authority) {
                        Ok(reply) => Some((Ok(reply), Some(echoing))),
                        // An error ends the call: it goes out in the trailers.
                        Err(status) => Some((Err(status), None)),
                    }
                }
                Ok(None) => None,
                Err(status) => Some((Err(status), None)),
            }
        });
        ready(Ok(tonic::Response::new(replies.boxed())))
    }
}

// === impl GrpcServer ===

impl GrpcServer {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server URL as a Portico `servers[].url`: `h2c://127.0.0.1:<port>`
    /// for a cleartext server, `https://127.0.0.1:<port>` for a TLS one.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "h2c" };
        format!("{scheme}://{}", self.addr)
    }

    /// The server's name, returned in every [`EchoReply::server`].
    pub fn name(&self) -> &str {
        &self.state.name
    }

    /// gRPC calls received so far, health checks included.
    pub fn calls(&self) -> usize {
        self.state.calls.load(Ordering::SeqCst)
    }

    /// Sets the health of the whole server (service `""`, what Traefik's gRPC
    /// health check asks for) and of the `Echo` service.
    pub async fn set_serving(&self, serving: bool) {
        let status = if serving {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        self.reporter.set_service_status("", status).await;
        self.reporter.set_service_status(ECHO_SERVICE, status).await;
    }

    /// Sets the health of one named service.
    pub async fn set_service_status(&self, service: &str, status: ServingStatus) {
        self.reporter.set_service_status(service, status).await;
    }

    /// Stops the server: its listener and open connections are closed when
    /// this returns.
    pub async fn stop(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for GrpcServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
