//! Real backends on `127.0.0.1:0` for the transport tests: generated CAs, a TLS
//! backend that reports what it negotiated, h1/h2c backends, a proxy in front of a
//! `Forwarder`, and a body fed from a channel.

#![allow(dead_code, unreachable_pub)] // each test crate uses a part

use std::{
    convert::Infallible,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body::{Body as HttpBody, Frame};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::{body::Incoming, service::service_fn};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use portico_core::{Body, HttpRequest};
use portico_proxy::{Forwarder, Target};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::{
    ServerConfig, crypto::ring, server::WebPkiClientVerifier, version::TLS12, version::TLS13,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::{net::TcpListener, sync::mpsc};
use tokio_rustls::TlsAcceptor;

pub type TestBody = BoxBody<Bytes, Infallible>;

// === CAs and certificates ===

/// A certificate authority generated for one test.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate chain and its key.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        Ca {
            issuer: CertifiedIssuer::self_signed(params, key).unwrap(),
        }
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A server certificate for DNS names or IP addresses `names`, plus URI SANs.
    pub fn server(&self, names: &[&str], uris: &[&str]) -> Identity {
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        for uri in uris {
            params
                .subject_alt_names
                .push(SanType::URI((*uri).try_into().unwrap()));
        }
        self.sign(params)
    }

    /// A client certificate named `cn`.
    pub fn client(&self, cn: &str) -> Identity {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.sign(params)
    }

    fn sign(&self, params: CertificateParams) -> Identity {
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Identity {
            chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

// === backends ===

/// What a backend answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 200 with what the backend saw in `x-*` headers (see [`facts`]).
    Echo,
    /// `hello` followed by trailers `grpc-status: 0`, `grpc-message: ok`
    /// (announced in `Trailer`).
    Trailers,
    /// A gRPC "trailers-only" error: headers carry `grpc-status: 14`, no body.
    TrailersOnly,
    /// One server-sent event, then the response stays open.
    Sse,
    /// `101 Switching Protocols` to `Upgrade: echo`, then echoes bytes.
    UpgradeEcho,
}

/// What a TLS backend negotiated, reported in every `Mode::Echo` answer.
#[derive(Clone, Debug, Default)]
struct TlsFacts {
    sni: Option<String>,
    alpn: Option<String>,
    version: Option<String>,
    cipher: Option<String>,
    client_cert_cn_der_len: Option<usize>,
}

/// A running backend.
pub struct Backend {
    pub addr: SocketAddr,
    /// How many connections it accepted (TLS handshakes included, failed or not).
    pub connections: Arc<AtomicUsize>,
}

/// TLS backend options.
pub struct TlsOptions {
    pub identity: Identity,
    /// Require a client certificate from this CA.
    pub client_ca: Option<CertificateDer<'static>>,
    pub tls12_only: bool,
    pub mode: Mode,
}

impl TlsOptions {
    pub fn new(identity: Identity) -> TlsOptions {
        TlsOptions {
            identity,
            client_ca: None,
            tls12_only: false,
            mode: Mode::Echo,
        }
    }
}

/// An HTTPS backend (h2 and HTTP/1.1 by ALPN).
pub async fn tls_backend(options: TlsOptions) -> Backend {
    let provider = Arc::new(ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if options.tls12_only {
        &[&TLS12]
    } else {
        &[&TLS13, &TLS12]
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .unwrap();
    let builder = match options.client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(options.identity.chain, options.identity.key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let mode = options.mode;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let conn = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let (_, session) = tls.get_ref();
                let facts = TlsFacts {
                    sni: session.server_name().map(str::to_owned),
                    alpn: session
                        .alpn_protocol()
                        .map(|p| String::from_utf8_lossy(p).into_owned()),
                    version: session.protocol_version().map(|v| format!("{v:?}")),
                    cipher: session
                        .negotiated_cipher_suite()
                        .map(|s| format!("{:?}", s.suite())),
                    client_cert_cn_der_len: session
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .map(|c| c.len()),
                };
                serve(TokioIo::new(tls), mode, conn, Some(facts)).await;
            });
        }
    });
    Backend { addr, connections }
}

/// A cleartext backend speaking HTTP/1.1 and h2c (prior knowledge).
pub async fn plain_backend(mode: Mode) -> Backend {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let conn = counter.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::spawn(serve(TokioIo::new(tcp), mode, conn, None));
        }
    });
    Backend { addr, connections }
}

async fn serve<I>(io: I, mode: Mode, conn: usize, tls: Option<TlsFacts>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |request: Request<Incoming>| {
        let tls = tls.clone();
        async move { Ok::<_, Infallible>(answer(request, mode, conn, tls.as_ref())) }
    });
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection_with_upgrades(io, service)
        .await;
}

fn answer(
    mut request: Request<Incoming>,
    mode: Mode,
    conn: usize,
    tls: Option<&TlsFacts>,
) -> Response<TestBody> {
    match mode {
        Mode::Echo => {
            let mut response = Response::new(full("ok"));
            let h = response.headers_mut();
            h.insert("x-conn", value(&conn.to_string()));
            h.insert("x-http-version", value(&format!("{:?}", request.version())));
            if let Some(te) = request.headers().get("te") {
                h.insert("x-te", te.clone());
            }
            if let Some(tls) = tls {
                let facts = [
                    ("x-sni", &tls.sni),
                    ("x-alpn", &tls.alpn),
                    ("x-tls-version", &tls.version),
                    ("x-cipher", &tls.cipher),
                ];
                for (name, fact) in facts {
                    h.insert(name, value(fact.as_deref().unwrap_or("none")));
                }
                let client = tls
                    .client_cert_cn_der_len
                    .map_or("none".to_owned(), |len| len.to_string());
                h.insert("x-client-cert-len", value(&client));
            }
            response
        }
        Mode::Trailers => {
            let (tx, rx) = mpsc::channel(4);
            tokio::spawn(async move {
                let _ = tx.send(Frame::data(Bytes::from_static(b"hello"))).await;
                let mut trailers = HeaderMap::new();
                trailers.insert("grpc-status", value("0"));
                trailers.insert("grpc-message", value("ok"));
                let _ = tx.send(Frame::trailers(trailers)).await;
            });
            let mut response = Response::new(ChannelBody(rx).boxed());
            let h = response.headers_mut();
            h.insert("content-type", value("application/grpc"));
            h.insert("trailer", value("grpc-status, grpc-message"));
            response
        }
        Mode::TrailersOnly => {
            let mut response = Response::new(full(""));
            let h = response.headers_mut();
            h.insert("content-type", value("application/grpc"));
            h.insert("grpc-status", value("14"));
            h.insert("grpc-message", value("unavailable"));
            response
        }
        Mode::Sse => {
            let (tx, rx) = mpsc::channel(4);
            tokio::spawn(async move {
                let _ = tx
                    .send(Frame::data(Bytes::from_static(b"data: one\n\n")))
                    .await;
                // The stream stays open until the client goes away.
                tx.closed().await;
            });
            let mut response = Response::new(ChannelBody(rx).boxed());
            response
                .headers_mut()
                .insert("content-type", value("text/event-stream"));
            response
        }
        Mode::UpgradeEcho => {
            let on_upgrade = hyper::upgrade::on(&mut request);
            tokio::spawn(async move {
                let Ok(upgraded) = on_upgrade.await else {
                    return;
                };
                let mut io = TokioIo::new(upgraded);
                let (mut r, mut w) = tokio::io::split(&mut io);
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
            let mut response = Response::new(full(""));
            *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
            let h = response.headers_mut();
            h.insert("connection", value("upgrade"));
            h.insert("upgrade", value("echo"));
            h.insert("x-http-version", value(&format!("{:?}", request.version())));
            response
        }
    }
}

// === a proxy in front of a forwarder ===

/// An HTTP/1.1 + h2c server sending every request to `target` through `forwarder`.
pub async fn proxy(forwarder: Forwarder, target: Target) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let target = Arc::new(target);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let forwarder = forwarder.clone();
            let target = target.clone();
            let service = service_fn(move |request: Request<Incoming>| {
                let forwarder = forwarder.clone();
                let target = target.clone();
                async move {
                    let response = match forwarder.forward(request.map(Body::new), &target).await {
                        Ok(response) => response,
                        Err(error) => error.into_response(),
                    };
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(async move {
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection_with_upgrades(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    addr
}

// === helpers ===

/// A request for `path` with `Host: app.example` and an empty body.
pub fn get(path: &str) -> HttpRequest {
    Request::builder()
        .uri(path)
        .header("host", "app.example")
        .body(Body::empty())
        .unwrap()
}

pub fn full(text: &'static str) -> TestBody {
    Full::new(Bytes::from_static(text.as_bytes())).boxed()
}

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap()
}

/// A body whose frames come from a channel; it ends when the sender is dropped.
pub struct ChannelBody(pub mpsc::Receiver<Frame<Bytes>>);

impl HttpBody for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|frame| frame.map(Ok))
    }
}
