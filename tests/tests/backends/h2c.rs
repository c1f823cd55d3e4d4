//! `h2c://` servers: HTTP/1.1 clients are translated to cleartext HTTP/2 and
//! back (hop-by-hop headers dropped, bodies streamed both ways, one multiplexed
//! connection), and HTTP/2 clients reach HTTP/1.1 servers.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Request, Version};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;
use portico_e2e::{EXCHANGE_LIMIT, send_raw, whoami::Seen, wire, within};
use portico_test_support::{client, upstream};
use tokio::{net::TcpStream, sync::mpsc};

use super::{get, routing, start, support::H2cBackend};

#[tokio::test]
async fn http11_clients_reach_an_h2c_backend_over_one_http2_connection() {
    let backend = H2cBackend::start().await;
    let proxy = start(&routing(&backend.url(), None)).await;
    let addr = proxy.addr("web");

    let reply = get(addr, "/path?x=1").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.version, Version::HTTP_11, "the client keeps HTTP/1.1");
    assert_eq!(reply.text(), "h2c GET /path?x=1");
    assert_eq!(reply.header("x-http-version"), Some("HTTP/2.0"));
    let seen = backend.seen();
    assert_eq!(seen.requests[0].version, Version::HTTP_2);
    assert_eq!(seen.requests[0].method, "GET");

    // Sequential and concurrent clients share the backend connection.
    for i in 0..5 {
        assert_eq!(get(addr, &format!("/seq/{i}")).await.status, 200);
    }
    let concurrent = (0..10).map(|i| get(addr, if i % 2 == 0 { "/even" } else { "/odd" }));
    for reply in futures_util::future::join_all(concurrent).await {
        assert_eq!(reply.status, 200);
    }
    let seen = backend.seen();
    assert_eq!(seen.requests.len(), 16);
    assert_eq!(seen.connections, 1, "one multiplexed HTTP/2 connection");
}

#[tokio::test]
async fn http2_clients_reach_an_http11_backend() {
    let backend = upstream::whoami("h1").await;
    let proxy = start(&routing(&backend.url(), None)).await;
    let request = Request::get(format!("http://example.com/from-h2?q={}", "a%20b"))
        .body(Full::new(Bytes::new()))
        .expect("request");
    let reply = within(
        EXCHANGE_LIMIT,
        "h2 request",
        client::send_h2(proxy.addr("web"), request),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.version, Version::HTTP_2);
    let seen = Seen::parse(&reply.text()).expect("whoami dump");
    assert_eq!(seen.version, "HTTP/1.1");
    assert_eq!(seen.target, "/from-h2?q=a%20b");
    assert_eq!(seen.header("host"), Some("example.com"));
}

#[tokio::test]
async fn hop_by_hop_headers_of_http11_clients_do_not_reach_the_h2c_backend() {
    let backend = H2cBackend::start().await;
    let proxy = start(&routing(&backend.url(), None)).await;
    let response = send_raw(
        proxy.addr("web"),
        &wire::request(
            "GET",
            "/hop",
            Some("example.com"),
            &[
                ("Connection", "keep-alive, X-Drop, TE"),
                ("Keep-Alive", "timeout=5"),
                ("Proxy-Connection", "keep-alive"),
                ("X-Drop", "secret"),
                ("TE", "trailers"),
                ("X-Kept", "yes"),
            ],
        ),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.text(), "h2c GET /hop");

    let seen = backend.seen();
    let headers = &seen.requests[0].headers;
    for name in ["connection", "keep-alive", "proxy-connection", "x-drop"] {
        assert!(!headers.contains_key(name), "{name} reached the backend");
    }
    assert_eq!(headers["x-kept"], "yes");
    assert_eq!(headers["te"], "trailers", "HTTP/2 allows TE: trailers");
    assert!(headers.contains_key("x-forwarded-for"));
}

#[tokio::test]
async fn request_and_response_bodies_stream_through_an_h2c_backend() {
    let backend = H2cBackend::start().await;
    let proxy = start(&routing(&backend.url(), None)).await;
    let stream = TcpStream::connect(proxy.addr("web"))
        .await
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let (chunks, outgoing) = mpsc::channel::<Bytes>(4);
    let body = StreamBody::new(
        tokio_stream_from(outgoing)
            .map(|chunk| Ok::<_, std::convert::Infallible>(Frame::data(chunk))),
    );
    let request = Request::post("/echo")
        .header("host", "example.com")
        .body(body)
        .expect("request");
    let response = tokio::spawn(sender.send_request(request));

    // The first chunk reaches the backend while the client is still sending.
    chunks
        .send(Bytes::from_static(b"first,"))
        .await
        .expect("send");
    within(
        EXCHANGE_LIMIT,
        "first chunk at the backend",
        backend.wait_body_bytes(6),
    )
    .await;
    let response = within(EXCHANGE_LIMIT, "response head", response)
        .await
        .expect("task")
        .expect("response");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-http-version"], "HTTP/2.0");
    let mut body = response.into_body();
    // ... and its echo comes back before the rest is sent.
    let frame = within(EXCHANGE_LIMIT, "first echo", body.frame())
        .await
        .expect("a frame")
        .expect("frame");
    assert_eq!(frame.into_data().expect("data"), "first,");

    chunks
        .send(Bytes::from_static(b"second,"))
        .await
        .expect("send");
    chunks
        .send(Bytes::from_static(b"last"))
        .await
        .expect("send");
    drop(chunks);
    let rest = within(EXCHANGE_LIMIT, "rest of the echo", body.collect())
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(rest, "second,last");
    assert_eq!(backend.seen().body_bytes, "first,second,last".len());
}

#[tokio::test]
async fn large_upload_to_an_h2c_backend_is_echoed_intact() {
    let backend = H2cBackend::start().await;
    let proxy = start(&routing(&backend.url(), None)).await;
    // Far beyond HTTP/2's initial 64 KiB flow-control windows.
    let payload: Vec<u8> = (0..8usize << 20).map(|i| (i % 251) as u8).collect();
    let request = Request::post("/echo")
        .header("host", "example.com")
        .body(Full::new(Bytes::from(payload.clone())))
        .expect("request");
    let reply = within(
        Duration::from_secs(30),
        "8 MiB echo",
        client::send(proxy.addr("web"), request),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.body.len(), payload.len());
    assert!(reply.body == payload, "echoed body differs");
    let seen = backend.seen();
    assert_eq!(
        seen.requests[0]
            .headers
            .get("content-length")
            .map(|v| v.as_bytes()),
        Some(payload.len().to_string().as_bytes()),
        "the length is passed on"
    );
}

/// An mpsc receiver as a stream.
fn tokio_stream_from(
    mut receiver: mpsc::Receiver<Bytes>,
) -> impl futures_util::Stream<Item = Bytes> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

#[tokio::test]
async fn h2c_backend_sees_the_client_host_as_its_authority() {
    // Traefik (Go's HTTP/2 transport) sends the request's Host as `:authority`, so a
    // backend routing on `:authority` sees the client's host, as an HTTP/1.1
    // backend sees it in `Host`; a `host` header, if any, must be the same
    // (RFC 9113 §8.3.1).
    let backend = H2cBackend::start().await;
    let proxy = start(&routing(&backend.url(), None)).await;
    assert_eq!(get(proxy.addr("web"), "/").await.status, 200);
    let seen = backend.seen();
    let request = &seen.requests[0];
    assert_eq!(request.path, "/");
    assert_eq!(request.authority.as_deref(), Some("example.com"));
    assert!(
        request
            .headers
            .get("host")
            .is_none_or(|h| h == "example.com")
    );
}
