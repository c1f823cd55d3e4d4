//! Backends and fixtures the test-support crate does not offer: a directory for
//! certificate files, a TLS 1.2-only HTTPS backend, an address whose connections
//! never complete, and a cleartext HTTP/2 (h2c) echo backend that records what it
//! received.

use std::{convert::Infallible, net::SocketAddr, sync::Arc, time::Duration};

use bytes::Bytes;
use http::{HeaderMap, Request, Response, Version};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use portico_test_support::tls::Leaf;
use rustls::{ServerConfig, crypto::ring};
use rustls_pki_types::{PrivateKeyDer, pem::PemObject};
use tokio::{
    net::{TcpListener, TcpSocket, TcpStream},
    sync::watch,
    task::{JoinHandle, JoinSet},
};
use tokio_rustls::TlsAcceptor;

/// A temporary directory for certificate and key files named in routing files.
pub(crate) struct Files {
    dir: tempfile::TempDir,
}

// === impl Files ===

impl Files {
    pub(crate) fn new() -> Files {
        Files {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes `contents` to `name`; returns the file's path.
    pub(crate) fn write(&self, name: &str, contents: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write file");
        path.display().to_string()
    }

    /// A path in the directory where no file exists.
    pub(crate) fn missing(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Writes `leaf` as `<stem>.crt` and `<stem>.key`; returns their paths.
    pub(crate) fn leaf(&self, leaf: &Leaf, stem: &str) -> (String, String) {
        leaf.write(self.dir.path(), stem)
    }
}

/// A backend task stopped when dropped.
pub(crate) struct Task(JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An HTTPS backend that speaks only TLS 1.2 (no ALPN); its answers carry
/// `X-Tls-Version`. Returns its address and the task serving it.
pub(crate) async fn tls12_backend(leaf: &Leaf) -> (SocketAddr, Task) {
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der.clone()],
            PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("leaf key"),
        )
        .expect("server certificate");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            connections.spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let version = stream
                    .get_ref()
                    .1
                    .protocol_version()
                    .map(|v| format!("{v:?}"))
                    .unwrap_or_default();
                let service = hyper::service::service_fn(move |_: Request<Incoming>| {
                    let reply = Response::builder()
                        .header("x-tls-version", version.clone())
                        .body(Full::new(Bytes::from_static(b"tls12 backend")))
                        .expect("response");
                    async move { Ok::<_, Infallible>(reply) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, Task(task))
}

/// An address that accepts no more connections and refuses none: a listener
/// with a backlog of one, never accepting, whose queue is already full. The
/// kernel drops further SYNs, so a connection attempt neither completes nor
/// fails until the client gives up (Linux; the queue is filled and checked
/// here, and this panics if connections still complete).
pub(crate) struct Blackhole {
    addr: SocketAddr,
    _listener: TcpListener,
    _queued: Vec<TcpStream>,
}

// === impl Blackhole ===

impl Blackhole {
    pub(crate) async fn new() -> Blackhole {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.1:0".parse().expect("address"))
            .expect("bind");
        let listener = socket.listen(0).expect("listen");
        let addr = listener.local_addr().expect("local addr");
        let mut queued = Vec::new();
        for _ in 0..16 {
            match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => queued.push(stream),
                Ok(Err(e)) => panic!("connection to the full listener failed: {e}"),
                Err(_) => {
                    return Blackhole {
                        addr,
                        _listener: listener,
                        _queued: queued,
                    };
                }
            }
        }
        panic!(
            "{} connections completed on a listener that never accepts",
            queued.len()
        )
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// One request an [`H2cBackend`] received.
#[derive(Clone, Debug)]
pub(crate) struct H2cRequest {
    pub(crate) version: Version,
    pub(crate) method: http::Method,
    pub(crate) path: String,
    /// The `:authority` it came with.
    pub(crate) authority: Option<String>,
    pub(crate) headers: HeaderMap,
}

/// What an [`H2cBackend`] saw.
#[derive(Clone, Debug, Default)]
pub(crate) struct H2cSeen {
    pub(crate) connections: usize,
    pub(crate) requests: Vec<H2cRequest>,
    /// Request body bytes received so far, over every request.
    pub(crate) body_bytes: usize,
}

/// A cleartext HTTP/2 backend (prior knowledge only). `POST /echo` streams the
/// request body back as it arrives; any other request gets `h2c <method>
/// <path>`. Every answer carries `X-Http-Version`.
pub(crate) struct H2cBackend {
    addr: SocketAddr,
    seen: watch::Sender<H2cSeen>,
    _task: Task,
}

type EchoBody = BoxBody<Bytes, hyper::Error>;

// === impl H2cBackend ===

impl H2cBackend {
    pub(crate) async fn start() -> H2cBackend {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let seen = watch::channel(H2cSeen::default()).0;
        let recorder = seen.clone();
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                recorder.send_modify(|s| s.connections += 1);
                let seen = recorder.clone();
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let reply = H2cBackend::answer(&seen, request);
                    async move { Ok::<_, Infallible>(reply) }
                });
                connections.spawn(async move {
                    let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
            }
        });
        H2cBackend {
            addr,
            seen,
            _task: Task(task),
        }
    }

    fn answer(seen: &watch::Sender<H2cSeen>, request: Request<Incoming>) -> Response<EchoBody> {
        let (parts, body) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        seen.send_modify(|s| {
            s.requests.push(H2cRequest {
                version: parts.version,
                method: parts.method.clone(),
                path: path.clone(),
                authority: parts.uri.authority().map(|a| a.as_str().to_owned()),
                headers: parts.headers.clone(),
            })
        });
        let builder = Response::builder().header("x-http-version", format!("{:?}", parts.version));
        let body = if parts.method == http::Method::POST && parts.uri.path() == "/echo" {
            let seen = seen.clone();
            body.map_frame(move |frame| {
                if let Some(data) = frame.data_ref() {
                    seen.send_modify(|s| s.body_bytes += data.len());
                }
                frame
            })
            .boxed()
        } else {
            Full::new(Bytes::from(format!("h2c {} {path}", parts.method)))
                .map_err(|never| match never {})
                .boxed()
        };
        builder.body(body).expect("response")
    }

    pub(crate) fn url(&self) -> String {
        format!("h2c://{}", self.addr)
    }

    pub(crate) fn seen(&self) -> H2cSeen {
        self.seen.borrow().clone()
    }

    /// Waits until `n` request body bytes have arrived.
    pub(crate) async fn wait_body_bytes(&self, n: usize) {
        let mut seen = self.seen.subscribe();
        let _ = seen.wait_for(|s| s.body_bytes >= n).await;
    }
}
