//! Bodies both ways, streamed, and WebSocket upgrades.

use std::{convert::Infallible, sync::Arc, time::Duration};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt, stream};
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use portico_e2e::{EXCHANGE_LIMIT, catch_all, send_raw, wire, within};
use portico_test_support::{client, upstream};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::{Notify, mpsc},
};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn large_response_is_streamed_before_the_backend_finishes() {
    const CHUNK: usize = 1 << 20;
    const CHUNKS: usize = 64;
    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let app = axum::Router::new().route(
        "/big",
        axum::routing::get(move || {
            let gate = gate.clone();
            async move {
                let chunks = stream::unfold(0usize, move |i| {
                    let gate = gate.clone();
                    async move {
                        if i == CHUNKS {
                            return None;
                        }
                        if i == 1 {
                            // Hold the rest until the client saw the first bytes.
                            gate.notified().await;
                        }
                        Some((
                            Ok::<_, Infallible>(Bytes::from(vec![i as u8; CHUNK])),
                            i + 1,
                        ))
                    }
                });
                axum::body::Body::from_stream(chunks)
            }
        }),
    );
    let backend = upstream::axum(app).await;
    let proxy = catch_all(None, &backend.url()).await;
    let stream = TcpStream::connect(proxy.addr("web"))
        .await
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let request = Request::get("/big")
        .header("host", "example.com")
        .body(Full::new(Bytes::new()))
        .expect("request");
    let response = within(
        EXCHANGE_LIMIT,
        "response head while the backend holds",
        sender.send_request(request),
    )
    .await
    .expect("response");
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let mut received = 0usize;
    while received == 0 {
        let frame = within(
            EXCHANGE_LIMIT,
            "first bytes while the backend holds",
            body.frame(),
        )
        .await
        .expect("a frame")
        .expect("frame");
        received += frame.data_ref().map_or(0, Bytes::len);
    }
    assert!(
        received <= CHUNK,
        "more than the first chunk arrived before the release"
    );
    release.notify_one();
    let rest = within(
        Duration::from_secs(30),
        "the rest of 64 MiB",
        body.collect(),
    )
    .await
    .expect("body")
    .to_bytes();
    assert_eq!(received + rest.len(), CHUNK * CHUNKS);
    assert_eq!(rest.last(), Some(&((CHUNKS - 1) as u8)));
}

#[tokio::test]
async fn large_upload_is_echoed_intact() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let payload: Vec<u8> = (0..16usize << 20).map(|i| (i % 251) as u8).collect();
    let request = Request::post("/echo")
        .header("host", "example.com")
        .header("content-type", "application/octet-stream")
        .body(Full::new(Bytes::from(payload.clone())))
        .expect("request");
    let reply = within(
        Duration::from_secs(30),
        "16 MiB echo",
        client::send(proxy.addr("web"), request),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), payload.len());
    assert!(reply.body == payload, "echoed body differs");
}

#[tokio::test]
async fn websocket_upgrade_is_proxied_both_ways() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let stream = TcpStream::connect(proxy.addr("web"))
        .await
        .expect("connect");
    let (mut ws, response) = within(
        EXCHANGE_LIMIT,
        "websocket handshake",
        tokio_tungstenite::client_async("ws://example.com/echo", stream),
    )
    .await
    .expect("handshake through the proxy");
    assert_eq!(response.status(), 101);
    for i in 0..100usize {
        let message = if i % 2 == 0 {
            Message::text(format!("message {i}"))
        } else {
            Message::binary(vec![i as u8; i * 10])
        };
        ws.send(message.clone()).await.expect("send");
        let echoed = within(EXCHANGE_LIMIT, "echo", ws.next())
            .await
            .expect("open")
            .expect("message");
        assert_eq!(echoed, message, "message {i}");
    }
    ws.close(None).await.expect("close");
}

#[tokio::test]
async fn websocket_upgrade_request_carries_x_forwarded_proto_ws() {
    let (heads, mut received) = mpsc::unbounded_channel::<String>();
    let backend = upstream::raw(move |mut stream| {
        let heads = heads.clone();
        async move {
            let mut buf = vec![0u8; 16384];
            let mut head = Vec::new();
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = heads.send(String::from_utf8_lossy(&head).into_owned());
            let _ = stream
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        }
    })
    .await;
    let proxy = catch_all(None, &backend.url()).await;
    let headers = [
        ("Connection", "Upgrade"),
        ("Upgrade", "websocket"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let _ = send_raw(
        proxy.addr("web"),
        &wire::request("GET", "/ws", Some("example.com"), &headers),
    )
    .await;
    let head = within(
        EXCHANGE_LIMIT,
        "upgrade request at the backend",
        received.recv(),
    )
    .await
    .expect("a head");
    let proto = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case("x-forwarded-proto"))
        })
        .map(|(_, v)| v.trim().to_owned());
    assert_eq!(proto.as_deref(), Some("ws"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("upgrade: websocket"),
        "the upgrade is forwarded: {head}"
    );
}

#[tokio::test]
async fn chunked_upload_reaches_the_backend() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let request = b"POST /echo HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\
                    Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    let response = send_raw(proxy.addr("web"), request).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), "hello world");
}
