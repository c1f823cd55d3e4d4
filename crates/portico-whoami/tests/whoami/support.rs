//! A running server per test, and small HTTP clients for it.

use std::io;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, Response};
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A whoami server running on an ephemeral loopback port.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl Server {
    pub(crate) async fn start(name: Option<&str>) -> Self {
        let listener = portico_whoami::bind("127.0.0.1:0").await.expect("bind");
        Self::start_on(listener, name)
    }

    pub(crate) fn start_on(listener: tokio::net::TcpListener, name: Option<&str>) -> Self {
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(portico_whoami::serve(
            listener,
            name.map(str::to_owned),
            async move {
                let _ = stopped.await;
            },
        ));
        Self { addr, stop, task }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Signals shutdown and waits for `serve` to return.
    pub(crate) async fn stop(self) -> io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.expect("server task panicked")
    }
}

/// The answer to one request, fully read.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

fn client(h2c: bool) -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new())
        .http2_only(h2c)
        .build_http()
}

async fn read(response: Response<hyper::body::Incoming>) -> Answer {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("response body").to_bytes();
    Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// Sends `request` over HTTP/1.1 (or h2c with prior knowledge) and reads the whole answer.
pub(crate) async fn send(request: Request<Full<Bytes>>, h2c: bool) -> Answer {
    read(client(h2c).request(request).await.expect("request")).await
}

pub(crate) async fn get(url: &str) -> Answer {
    let request = Request::get(url).body(Full::default()).expect("request");
    send(request, false).await
}

pub(crate) async fn post(url: &str, body: &'static str) -> Answer {
    let request = Request::post(url)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("request");
    send(request, false).await
}

/// Writes `head` (a request ending with an empty line, `Connection: close`) on a fresh
/// connection and returns the connection's local address and everything read back.
pub(crate) async fn raw(addr: SocketAddr, head: &str) -> (SocketAddr, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let local = stream.local_addr().expect("local addr");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read");
    (local, String::from_utf8_lossy(&out).into_owned())
}
