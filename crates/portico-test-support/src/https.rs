//! HTTPS backends: an echo server with a leaf from a test [`Ca`](crate::tls::Ca),
//! optional client-certificate checks, and a record of every handshake.
//!
//! Each response says what the backend saw: `X-Backend` (its name),
//! `X-Http-Version`, `X-Tls-Version`, `X-Tls-Alpn` and `X-Client-Cn`, so a test
//! going through the proxy can assert on the backend side of the connection.
//! A path `/status/<code>` answers `<code>`.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() {
//! use portico_test_support::{https, tls::{Ca, ClientOptions}};
//!
//! let ca = Ca::new("backend CA");
//! let backend = https::start("b1", &ca.leaf(&["backend.test"]), https::ServerTls::default()).await;
//! let reply = portico_test_support::tls::get(
//!     backend.addr(),
//!     "backend.test",
//!     "backend.test",
//!     "/",
//!     &ClientOptions { ca: Some(ca.pem()), alpn: vec!["h2"], ..Default::default() },
//! )
//! .await;
//! assert_eq!(reply.header("x-http-version"), Some("HTTP/2.0"));
//! assert_eq!(backend.handshakes()[0].alpn.as_deref(), Some("h2"));
//! # }
//! ```

use std::{convert::Infallible, net::SocketAddr, sync::Arc};

use bytes::Bytes;
use http::{Request, Response, StatusCode, Version};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::{
    ProtocolVersion, RootCertStore, ServerConfig, crypto::ring, server::WebPkiClientVerifier,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};
use tokio_rustls::TlsAcceptor;

use crate::tls::Leaf;

/// How a test backend's TLS is set up.
#[derive(Clone, Debug)]
pub struct ServerTls {
    /// ALPN protocols offered, most preferred first (default `h2`, `http/1.1`).
    pub alpn: Vec<&'static str>,
    /// Whether and how client certificates are checked.
    pub client_auth: ClientAuth,
}

/// Client-certificate policy of a test backend.
#[derive(Clone, Debug, Default)]
pub enum ClientAuth {
    /// No client certificate is asked for.
    #[default]
    None,
    /// A client certificate is asked for; one signed by this CA (PEM) is
    /// accepted, none at all is accepted too.
    Optional(String),
    /// A client certificate signed by this CA (PEM) is required.
    Required(String),
}

/// What one TLS handshake negotiated.
#[derive(Clone, Debug)]
pub struct Handshake {
    /// The protocol version.
    pub version: Option<ProtocolVersion>,
    /// The ALPN protocol chosen, if any.
    pub alpn: Option<String>,
    /// The SNI name the client sent, if any.
    pub sni: Option<String>,
    /// The client certificate's subject (`CN=…`), if one was presented.
    pub client_subject: Option<String>,
    /// The client certificate's common name, if one was presented.
    pub client_cn: Option<String>,
}

/// One request an HTTPS backend answered.
#[derive(Clone, Debug)]
pub struct HttpsRequest {
    /// The HTTP version it came over.
    pub version: Version,
    /// Its method.
    pub method: http::Method,
    /// Its path and query.
    pub path: String,
    /// The index in [`HttpsBackend::handshakes`] of its connection's handshake.
    pub handshake: usize,
    /// The host it was addressed to: `:authority` over HTTP/2, `Host` over HTTP/1.1.
    pub host: Option<String>,
    /// Its `Host` header, if any (also over HTTP/2).
    pub host_header: Option<String>,
}

/// What an HTTPS backend has seen so far.
#[derive(Clone, Debug, Default)]
struct Seen {
    handshakes: Vec<Handshake>,
    failed: usize,
    requests: Vec<HttpsRequest>,
}

/// A running HTTPS echo backend; stopped when dropped.
#[derive(Debug)]
pub struct HttpsBackend {
    addr: SocketAddr,
    seen: watch::Sender<Seen>,
    task: JoinHandle<()>,
}

// === impl ServerTls ===

impl Default for ServerTls {
    fn default() -> Self {
        ServerTls {
            alpn: vec!["h2", "http/1.1"],
            client_auth: ClientAuth::None,
        }
    }
}

impl ServerTls {
    /// Offers only `alpn` (for example `["http/1.1"]` for a backend without h2).
    pub fn alpn(mut self, alpn: &[&'static str]) -> Self {
        self.alpn = alpn.to_vec();
        self
    }

    /// Requires a client certificate signed by the CA `ca_pem`.
    pub fn require_client_cert(mut self, ca_pem: &str) -> Self {
        self.client_auth = ClientAuth::Required(ca_pem.to_owned());
        self
    }
}

/// A rustls server configuration presenting `leaf`, set up as `tls` says.
pub fn server_config(leaf: &Leaf, tls: &ServerTls) -> Arc<ServerConfig> {
    let provider = Arc::new(ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("protocol versions");
    let builder = match &tls.client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Optional(ca) | ClientAuth::Required(ca) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(ca.as_bytes()) {
                roots.add(cert.expect("client CA PEM")).expect("client CA");
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = match tls.client_auth {
                ClientAuth::Optional(_) => verifier.allow_unauthenticated(),
                _ => verifier,
            };
            builder.with_client_cert_verifier(verifier.build().expect("client verifier"))
        }
    };
    let mut config = builder
        .with_single_cert(
            vec![leaf.der.clone()],
            PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("leaf key"),
        )
        .expect("server certificate");
    config.alpn_protocols = tls.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Arc::new(config)
}

/// Starts an HTTPS echo backend named `name` presenting `leaf` on `127.0.0.1:0`.
pub async fn start(name: &str, leaf: &Leaf, tls: ServerTls) -> HttpsBackend {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let acceptor = TlsAcceptor::from(server_config(leaf, &tls));
    let (seen, _) = watch::channel(Seen::default());
    let recorder = seen.clone();
    let name: Arc<str> = Arc::from(name);
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = recorder.clone();
            let name = name.clone();
            connections.spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    seen.send_modify(|s| s.failed += 1);
                    return;
                };
                let handshake = describe(stream.get_ref().1);
                let mut index = 0;
                seen.send_modify(|s| {
                    index = s.handshakes.len();
                    s.handshakes.push(handshake.clone());
                });
                let handshake = Arc::new(handshake);
                let service = hyper::service::service_fn(move |request| {
                    let reply = answer(&name, &handshake, &request);
                    seen.send_modify(|s| {
                        s.requests.push(HttpsRequest {
                            version: request.version(),
                            method: request.method().clone(),
                            path: request
                                .uri()
                                .path_and_query()
                                .map(|p| p.as_str().to_owned())
                                .unwrap_or_default(),
                            handshake: index,
                            host: request
                                .uri()
                                .authority()
                                .map(|a| a.as_str().to_owned())
                                .or_else(|| {
                                    request
                                        .headers()
                                        .get(http::header::HOST)
                                        .and_then(|h| h.to_str().ok())
                                        .map(str::to_owned)
                                }),
                            host_header: request
                                .headers()
                                .get(http::header::HOST)
                                .and_then(|h| h.to_str().ok())
                                .map(str::to_owned),
                        })
                    });
                    async move { Ok::<_, Infallible>(reply) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    HttpsBackend { addr, seen, task }
}

/// Reads what a finished handshake negotiated.
fn describe(conn: &rustls::ServerConnection) -> Handshake {
    let client = conn
        .peer_certificates()
        .and_then(|certs| certs.first())
        .and_then(|der| {
            let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
            let cn = cert
                .subject()
                .iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok())
                .map(str::to_owned);
            Some((cert.subject().to_string(), cn))
        });
    let (client_subject, client_cn) = match client {
        Some((subject, cn)) => (Some(subject), cn),
        None => (None, None),
    };
    Handshake {
        version: conn.protocol_version(),
        alpn: conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        sni: conn.server_name().map(str::to_owned),
        client_subject,
        client_cn,
    }
}

/// The echo answer: who answered, over what.
fn answer(name: &str, handshake: &Handshake, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let status = request
        .uri()
        .path()
        .strip_prefix("/status/")
        .and_then(|code| code.parse::<u16>().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .unwrap_or(StatusCode::OK);
    let version = format!("{:?}", request.version());
    let tls_version = handshake
        .version
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    Response::builder()
        .status(status)
        .header("x-backend", name)
        .header("x-http-version", version)
        .header("x-tls-version", tls_version)
        .header("x-tls-alpn", handshake.alpn.as_deref().unwrap_or(""))
        .header("x-client-cn", handshake.client_cn.as_deref().unwrap_or(""))
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from(format!(
            "{name} {} {}",
            request.method(),
            request.uri().path()
        ))))
        .expect("response")
}

// === impl HttpsBackend ===

impl HttpsBackend {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Every completed handshake, oldest first.
    pub fn handshakes(&self) -> Vec<Handshake> {
        self.seen.borrow().handshakes.clone()
    }

    /// How many handshakes failed (for example a missing or untrusted client
    /// certificate).
    pub fn failed_handshakes(&self) -> usize {
        self.seen.borrow().failed
    }

    /// Every request answered, oldest first.
    pub fn requests(&self) -> Vec<HttpsRequest> {
        self.seen.borrow().requests.clone()
    }

    /// Waits until `n` handshakes have finished, successfully or not.
    pub async fn wait_handshakes(&self, n: usize) {
        let mut seen = self.seen.subscribe();
        let _ = seen.wait_for(|s| s.handshakes.len() + s.failed >= n).await;
    }

    /// Waits until `n` requests have been answered.
    pub async fn wait_requests(&self, n: usize) {
        let mut seen = self.seen.subscribe();
        let _ = seen.wait_for(|s| s.requests.len() >= n).await;
    }
}

impl Drop for HttpsBackend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests;
