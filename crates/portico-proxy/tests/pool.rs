//! The `http://` keep-alive pool: connections reused, not reused after a
//! half-read response, closed once idle for `idleConnTimeout`.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use http_body_util::BodyExt;
use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
use support::get;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// A keep-alive backend answering `/full` with a 2-byte body and `/partial`
/// with a 10-byte body of which it sends 5; counts connections.
async fn backend() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0; 1024];
                loop {
                    let n = match conn.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                        buf.drain(..end + 4);
                        let answer: &[u8] = if head.starts_with("GET /partial") {
                            b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello"
                        } else {
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
                        };
                        if conn.write_all(answer).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (addr, accepted)
}

fn forwarder(idle: Option<Duration>) -> Forwarder {
    let transport = Transport::new(&TransportSettings {
        idle_conn_timeout: idle,
        ..TransportSettings::default()
    })
    .unwrap();
    Forwarder::new(transport)
}

#[tokio::test]
async fn sequential_requests_share_one_connection() {
    let (addr, accepted) = backend().await;
    let target = Target::parse(&format!("http://{addr}")).unwrap();
    let forwarder = forwarder(None);
    for _ in 0..5 {
        let response = forwarder.forward(get("/full"), &target).await.unwrap();
        assert_eq!(
            response.into_body().collect().await.unwrap().to_bytes(),
            "ok"
        );
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_response_dropped_half_read_closes_its_connection() {
    let (addr, accepted) = backend().await;
    let target = Target::parse(&format!("http://{addr}")).unwrap();
    let forwarder = forwarder(None);
    let partial = forwarder.forward(get("/partial"), &target).await.unwrap();
    drop(partial);
    let response = forwarder.forward(get("/full"), &target).await.unwrap();
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "ok"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "the half-read connection was not reused"
    );
}

#[tokio::test]
async fn idle_connections_expire_after_the_idle_timeout() {
    let (addr, accepted) = backend().await;
    let target = Target::parse(&format!("http://{addr}")).unwrap();
    let forwarder = forwarder(Some(Duration::from_millis(50)));
    let response = forwarder.forward(get("/full"), &target).await.unwrap();
    response.into_body().collect().await.unwrap();
    // The timeout itself is what is tested: wait past it.
    tokio::time::sleep(Duration::from_millis(120)).await;
    let response = forwarder.forward(get("/full"), &target).await.unwrap();
    response.into_body().collect().await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}
