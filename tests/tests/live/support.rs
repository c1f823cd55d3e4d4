//! Shared helpers of the live-reload tests.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use portico_test_support::client;

/// How long a change may take to become visible (the bound).
pub(crate) const VISIBLE_WITHIN: Duration = Duration::from_secs(2);

/// A routing file with one router `r` (`PathPrefix(/)`) to `service`, and the
/// services `a` and `b` at the given backends.
pub(crate) fn switch_file(service: &str, a: &str, b: &str) -> String {
    format!(
        "http:\n  routers:\n    r:\n      rule: PathPrefix(`/`)\n      service: {service}\n  services:\n    a:\n      loadBalancer:\n        servers: [{{url: \"{a}\"}}]\n    b:\n      loadBalancer:\n        servers: [{{url: \"{b}\"}}]\n"
    )
}

/// A routing file with `n` routers on distinct hosts, all to service `a` (defined in
/// another file).
pub(crate) fn many_routers(n: usize) -> String {
    let mut out = String::from("http:\n  routers:\n");
    for i in 0..n {
        out.push_str(&format!(
            "    bulk{i}:\n      rule: Host(`bulk{i}.example`) && PathPrefix(`/p{i}`)\n      service: a@file\n"
        ));
    }
    out
}

/// Asks `addr` until `X-Whoami-Name` is `name`; returns how long that took.
pub(crate) async fn wait_for_backend(addr: SocketAddr, host: &str, name: &str) -> Duration {
    let start = Instant::now();
    loop {
        let reply = client::get(addr, host, "/").await;
        if reply.header("x-whoami-name") == Some(name) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < VISIBLE_WITHIN * 2,
            "{name} never answered (last: {} {:?})",
            reply.status,
            reply.header("x-whoami-name")
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Continuous keep-alive load from several client tasks; counts every request and
/// every failure (a transport error or a status other than 200), described.
pub(crate) struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    tasks: Vec<tokio::task::JoinHandle<Vec<String>>>,
}

impl Load {
    /// `clients` keep-alive connections to `addr`. With `drained_ok`, a connection
    /// closed by the server between two requests ends that client quietly.
    pub(crate) fn start(addr: SocketAddr, clients: usize, drained_ok: bool) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let tasks = (0..clients)
            .map(|_| {
                let (stop, ok) = (stop.clone(), ok.clone());
                tokio::spawn(async move {
                    let mut errors = Vec::new();
                    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                    let (mut sender, conn) =
                        hyper::client::conn::http1::handshake(TokioIo::new(stream))
                            .await
                            .unwrap();
                    tokio::spawn(conn);
                    while !stop.load(Ordering::Relaxed) {
                        let request = Request::get("/")
                            .header("host", "load.example")
                            .body(Full::new(Bytes::new()))
                            .unwrap();
                        match sender.send_request(request).await {
                            Ok(response) => {
                                let status = response.status();
                                let body = response.into_body().collect().await;
                                if status == 200 && body.is_ok() {
                                    ok.fetch_add(1, Ordering::Relaxed);
                                } else {
                                    errors.push(format!("status {status}"));
                                }
                            }
                            // The connection was closed between two requests (a
                            // drain): this request was never sent. Not a loss; a
                            // real client reconnects.
                            Err(e) if e.is_canceled() && drained_ok => break,
                            Err(e) => {
                                errors.push(e.to_string());
                                break;
                            }
                        }
                    }
                    errors
                })
            })
            .collect();
        Load { stop, ok, tasks }
    }

    /// Stops the clients; returns (requests served, failures described).
    pub(crate) async fn finish(self) -> (u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let mut errors = Vec::new();
        for task in self.tasks {
            errors.extend(task.await.unwrap());
        }
        (self.ok.load(Ordering::Relaxed), errors)
    }
}
