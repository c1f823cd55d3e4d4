//! Forwarding: the headers the backend gets (`X-Forwarded-*`, hop-by-hop, `Host`),
//! byte-exact method, path and query ([`headers`]), streamed bodies and WebSocket
//! ([`bodies`]), and the statuses Portico answers itself ([`errors`]: 502, 504,
//! 503).

mod bodies;
mod errors;
mod headers;

use portico_e2e::{send_raw, whoami::Seen, wire};
use portico_test_support::upstream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `GET target` with `host` and `headers` (byte-exact) through `addr`;
/// returns what the whoami backend saw.
async fn seen_with(
    addr: std::net::SocketAddr,
    host: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Seen {
    let mut all = headers.to_vec();
    all.push(("Connection", "close"));
    let response = send_raw(addr, &wire::request("GET", target, Some(host), &all)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    Seen::parse(&response.text()).expect("whoami dump")
}

/// A backend that reads one request head and answers `response` verbatim, then
/// closes.
async fn scripted_backend(response: &'static [u8]) -> upstream::Upstream {
    upstream::raw(move |mut stream| async move {
        let mut buf = vec![0u8; 16384];
        let mut head = Vec::new();
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let _ = stream.write_all(response).await;
        let _ = stream.shutdown().await;
    })
    .await
}
