//! Responses that must not be held back: server-sent events under every
//! `responseForwarding.flushInterval`, a large response streamed while the
//! backend still writes it, and WebSocket through a load balancer with an active
//! health check and a sticky cookie.

use std::{convert::Infallible, sync::Arc, time::Duration};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt, stream};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use portico_e2e::{EXCHANGE_LIMIT, within};
use portico_test_support::{client, sse, upstream};
use tokio::{net::TcpStream, sync::Notify};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use super::{indent, start};

/// How long an event or chunk the backend already wrote may take to reach the
/// client: far below the 10 s flush interval one of the cases configures.
const PROMPT: Duration = Duration::from_secs(2);

/// Router `r` to a load balancer over `url` with `lb_extra` (YAML, the load
/// balancer's keys, unindented).
fn routing(urls: &[String], lb_extra: &str) -> String {
    let servers: String = urls
        .iter()
        .map(|u| format!("          - url: \"{u}\"\n"))
        .collect();
    format!(
        "http:\n  routers:\n    r:\n      rule: PathPrefix(`/`)\n      service: backend\n  services:\n    backend:\n      loadBalancer:\n{}        servers:\n{servers}",
        indent(lb_extra, 8)
    )
}

/// Sends `GET path` over a new HTTP/1.1 connection and returns the response
/// head with its body still streaming.
async fn open(addr: std::net::SocketAddr, path: &str) -> Response<Incoming> {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let request = Request::get(path)
        .header("host", "example.com")
        .body(Full::new(Bytes::new()))
        .expect("request");
    within(PROMPT, "response head", sender.send_request(request))
        .await
        .expect("response")
}

/// Reads `body` until `expected` bytes arrived, within [`PROMPT`].
async fn read_exactly(body: &mut Incoming, expected: &str, what: &str) {
    let mut got = Vec::new();
    while got.len() < expected.len() {
        let frame = within(PROMPT, what, body.frame())
            .await
            .unwrap_or_else(|| panic!("{what}: body ended after {got:?}"))
            .expect("frame");
        if let Some(data) = frame.data_ref() {
            got.extend_from_slice(data);
        }
    }
    assert_eq!(String::from_utf8_lossy(&got), expected, "{what}");
}

/// Events go out one by one through the proxy configured with `lb_extra`.
async fn events_arrive_one_by_one(lb_extra: &str) {
    let backend = sse::start(&["one", "two", "three"]).await;
    let proxy = start(&routing(&[backend.url()], lb_extra)).await;
    let response = open(proxy.addr("web"), "/events").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();

    read_exactly(&mut body, "data: one\n\n", "first event").await;
    assert_eq!(backend.sent(), 1, "the backend holds the stream open");
    let early = tokio::time::timeout(Duration::from_millis(150), body.frame()).await;
    assert!(early.is_err(), "nothing else was written: {early:?}");

    backend.release();
    read_exactly(&mut body, "data: two\n\n", "second event").await;
    backend.release();
    read_exactly(&mut body, "data: three\n\n", "third event").await;
    let end = within(PROMPT, "end of stream", body.frame()).await;
    assert!(end.is_none(), "the stream ends after the last event");
}

#[tokio::test]
async fn server_sent_events_are_flushed_with_the_default_flush_interval() {
    events_arrive_one_by_one("").await;
}

#[tokio::test]
async fn server_sent_events_are_flushed_with_a_negative_flush_interval() {
    events_arrive_one_by_one("responseForwarding:\n  flushInterval: \"-1\"\n").await;
}

#[tokio::test]
async fn server_sent_events_are_never_held_for_a_long_flush_interval() {
    events_arrive_one_by_one("responseForwarding:\n  flushInterval: 10s\n").await;
}

#[tokio::test]
async fn large_response_streams_before_the_backend_finishes() {
    const CHUNK: usize = 1 << 20;
    const CHUNKS: usize = 8;
    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let app = axum::Router::new().fallback(move || {
        let gate = gate.clone();
        async move {
            let chunks = stream::unfold(0usize, move |i| {
                let gate = gate.clone();
                async move {
                    let chunk = match i {
                        // A few bytes first, then wait for the client to see them.
                        0 => Bytes::from_static(b"first\n"),
                        i if i <= CHUNKS => {
                            if i == 1 {
                                gate.notified().await;
                            }
                            Bytes::from(vec![i as u8; CHUNK])
                        }
                        _ => return None,
                    };
                    Some((Ok::<_, Infallible>(chunk), i + 1))
                }
            });
            (
                [("content-type", "application/octet-stream")],
                axum::body::Body::from_stream(chunks),
            )
        }
    });
    let backend = upstream::axum(app).await;
    // Even with a long flush interval nothing is held back.
    let proxy = start(&routing(
        &[backend.url()],
        "responseForwarding:\n  flushInterval: 10s\n",
    ))
    .await;
    let response = open(proxy.addr("web"), "/big").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("content-length").is_none(),
        "streamed, length unknown"
    );
    let mut body = response.into_body();
    read_exactly(&mut body, "first\n", "first bytes while the backend waits").await;

    release.notify_one();
    let rest = within(EXCHANGE_LIMIT, "the rest", body.collect())
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(rest.len(), CHUNK * CHUNKS);
    assert_eq!(rest.first(), Some(&1));
    assert_eq!(rest.last(), Some(&(CHUNKS as u8)));
}

/// A WebSocket handshake through `addr` to `/echo`, with `cookie` if given;
/// returns the socket and the `101` response's headers.
async fn websocket(
    addr: std::net::SocketAddr,
    cookie: Option<&str>,
) -> (
    tokio_tungstenite::WebSocketStream<TcpStream>,
    http::HeaderMap,
) {
    let mut request = "ws://example.com/echo"
        .into_client_request()
        .expect("request");
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("cookie"));
    }
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (socket, response) = within(
        EXCHANGE_LIMIT,
        "websocket handshake",
        tokio_tungstenite::client_async(request, stream),
    )
    .await
    .expect("handshake through the proxy");
    assert_eq!(response.status(), 101);
    (socket, response.headers().clone())
}

/// Sends `text` and expects it back.
async fn echo(socket: &mut tokio_tungstenite::WebSocketStream<TcpStream>, text: &str) {
    socket.send(Message::text(text)).await.expect("send");
    let echoed = within(EXCHANGE_LIMIT, "echo", socket.next())
        .await
        .expect("open")
        .expect("message");
    assert_eq!(echoed, Message::text(text));
}

/// The `name=value` part of a `Set-Cookie` for `name`, if any.
fn pin(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or(v).to_owned())
}

fn name(headers: &http::HeaderMap) -> String {
    headers
        .get("x-whoami-name")
        .and_then(|v| v.to_str().ok())
        .expect("x-whoami-name")
        .to_owned()
}

#[tokio::test]
async fn websocket_through_a_health_checked_sticky_load_balancer() {
    let w1 = upstream::whoami("w1").await;
    let w2 = upstream::whoami("w2").await;
    let proxy = start(&routing(
        &[w1.url(), w2.url()],
        "healthCheck:\n  path: /health\n  interval: 100ms\n  timeout: 1s\nsticky:\n  cookie:\n    name: ws_pin\n    httpOnly: true\n",
    ))
    .await;
    let addr = proxy.addr("web");

    // A new client is pinned by a cookie on the 101 itself (as Traefik, which
    // sets it before forwarding).
    let (mut first, headers) = websocket(addr, None).await;
    let cookie = pin(&headers, "ws_pin").expect("sticky cookie on the 101");
    let pinned = name(&headers);
    echo(&mut first, "hello").await;

    // The cookie pins later WebSockets; no new cookie is set.
    for _ in 0..3 {
        let (mut again, headers) = websocket(addr, Some(&cookie)).await;
        assert_eq!(name(&headers), pinned);
        assert_eq!(pin(&headers, "ws_pin"), None, "already pinned");
        echo(&mut again, "pinned").await;
    }

    // The pinned server fails its health check: new WebSockets go to the other
    // one, with a new cookie.
    let (pinned_backend, other) = if pinned == "w1" {
        (&w1, "w2")
    } else {
        (&w2, "w1")
    };
    let request = Request::post("/health")
        .header("host", "backend")
        .body(Full::new(Bytes::from_static(b"503")))
        .expect("request");
    assert_eq!(
        client::send(pinned_backend.addr(), request).await.status,
        200
    );
    within(
        Duration::from_secs(5),
        "the proxy sees the failed check",
        async {
            loop {
                let request = Request::get("/")
                    .header("host", "example.com")
                    .header("cookie", &cookie)
                    .body(Full::new(Bytes::new()))
                    .expect("request");
                let reply = within(EXCHANGE_LIMIT, "pinned GET", client::send(addr, request)).await;
                if reply.header("x-whoami-name") == Some(other) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        },
    )
    .await;
    let (mut moved, headers) = websocket(addr, Some(&cookie)).await;
    assert_eq!(name(&headers), other);
    let repinned = pin(&headers, "ws_pin").expect("a new sticky cookie");
    assert_ne!(repinned, cookie);
    echo(&mut moved, "moved").await;

    // The WebSocket opened before keeps working: health checks only steer new
    // requests.
    echo(&mut first, "still here").await;
    first.close(None).await.expect("close");
}
