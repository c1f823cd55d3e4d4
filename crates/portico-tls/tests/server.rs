//! `TlsAcceptor` composed into an axum-server `Server` around an inner acceptor
//! (as Portico's entrypoints do): HTTP/1.1 and HTTP/2 over TLS, `TlsInfo` in
//! request extensions, plain HTTP refused.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::{
    convert::Infallible,
    future::{Ready, ready},
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use http::{Request, Response, Version};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use portico_tls::{TlsAcceptor, TlsInfo, TlsOptions, TlsRegistry, version_name};
use support::{Ca, ClientSpec, snapshot, store, trusting};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::TcpStream,
};

/// An inner acceptor like Portico's `ConnAcceptor`: wraps the socket in an I/O
/// wrapper (here counting bytes read) and passes the service through.
#[derive(Clone, Debug)]
struct CountingAcceptor(Arc<AtomicUsize>);

struct Counting<I> {
    inner: I,
    read: Arc<AtomicUsize>,
}

impl<S> axum_server::accept::Accept<TcpStream, S> for CountingAcceptor {
    type Stream = Counting<TcpStream>;
    type Service = S;
    type Future = Ready<io::Result<(Counting<TcpStream>, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        ready(Ok((
            Counting {
                inner: stream,
                read: self.0.clone(),
            },
            service,
        )))
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Counting<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.read.fetch_add(n, Ordering::Relaxed);
        result
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Counting<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Answers with what the request's `TlsInfo` says.
async fn describe(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let text = match request.extensions().get::<Arc<TlsInfo>>() {
        Some(info) => format!(
            "{:?} options={} sni={} alpn={} tls={}",
            request.version(),
            info.options,
            info.sni.as_deref().unwrap_or("-"),
            String::from_utf8_lossy(info.alpn.as_deref().unwrap_or(b"-")),
            version_name(info),
        ),
        None => "no tls info".to_owned(),
    };
    Ok(Response::new(Full::new(Bytes::from(text))))
}

struct Running {
    addr: SocketAddr,
    read: Arc<AtomicUsize>,
    ca: Ca,
}

async fn start() -> Running {
    let ca = Ca::new("test ca");
    let leaf = ca.leaf(&["a.example.com"]);
    let registry = Arc::new(TlsRegistry::new());
    registry.publish(snapshot(
        &registry,
        store(&[&leaf], None),
        TlsOptions::default(),
    ));
    let read = Arc::new(AtomicUsize::new(0));
    let acceptor = TlsAcceptor::new(registry)
        .acceptor(CountingAcceptor(read.clone()))
        .handshake_timeout(Duration::from_secs(5));

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = axum_server::from_tcp(listener).unwrap().acceptor(acceptor);
    let make = tower::service_fn(|_: SocketAddr| async {
        Ok::<_, Infallible>(tower::service_fn(describe))
    });
    tokio::spawn(server.serve(make));
    Running { addr, read, ca }
}

async fn get(running: &Running, alpn: &'static str) -> (Version, String) {
    let client = ClientSpec {
        alpn: vec![alpn],
        ..trusting(&running.ca)
    }
    .build();
    let tls = support::connect(running.addr, client, "a.example.com")
        .await
        .unwrap();
    let io = TokioIo::new(tls);
    let request = Request::get("https://a.example.com/")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = if alpn == "h2" {
        let (mut send, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .unwrap();
        tokio::spawn(conn);
        send.send_request(request).await.unwrap()
    } else {
        let (mut send, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        let request = {
            let (mut parts, body) = request.into_parts();
            parts.uri = "/".parse().unwrap();
            parts
                .headers
                .insert(http::header::HOST, "a.example.com".parse().unwrap());
            Request::from_parts(parts, body)
        };
        send.send_request(request).await.unwrap()
    };
    let version = response.version();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (version, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn serves_http2_and_http11_over_tls_with_tls_info() {
    let running = start().await;
    let (version, body) = get(&running, "h2").await;
    assert_eq!(version, Version::HTTP_2);
    assert_eq!(
        body,
        "HTTP/2.0 options=default sni=a.example.com alpn=h2 tls=1.3"
    );

    let (version, body) = get(&running, "http/1.1").await;
    assert_eq!(version, Version::HTTP_11);
    assert_eq!(
        body,
        "HTTP/1.1 options=default sni=a.example.com alpn=http/1.1 tls=1.3"
    );

    // The handshake went through the inner acceptor's stream.
    assert!(running.read.load(Ordering::Relaxed) > 0);
}

#[tokio::test]
async fn plain_http_to_the_tls_port_is_not_served() {
    let running = start().await;
    let mut tcp = TcpStream::connect(running.addr).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection is closed");
    assert!(!answer.windows(4).any(|w| w == b"HTTP"), "{answer:?}");
    assert!(!String::from_utf8_lossy(&answer).contains("options="));
    // The server still serves TLS afterwards.
    let (_, body) = get(&running, "h2").await;
    assert!(body.contains("options=default"));
}
