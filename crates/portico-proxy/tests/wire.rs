//! The HTTP/1.1 exchange with `http://` backends, byte for byte: raw TCP
//! backends send exactly the responses under test (split, chunked, with
//! trailers, without length, informational, broken) and record what arrives.

#![allow(clippy::unwrap_used)] // a test panics on the unexpected

mod support;

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body::Frame;
use http_body_util::BodyExt;
use portico_core::{Body, HttpRequest, ProxyError};
use portico_proxy::{Forwarder, Target, Transport};
use support::{ChannelBody, get};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::mpsc,
};

/// What a scripted backend received: every request, head and body, raw.
type Received = Arc<std::sync::Mutex<Vec<String>>>;

/// A backend that answers the n-th request (over all connections) with
/// `answers[n]`, written `piece` bytes at a time; after an answer starting
/// with `!` (the `!` is not sent) it closes the connection. A request with an
/// `x-answer-early` field is answered as soon as its head is read. Counts
/// connections.
async fn scripted(
    answers: Vec<&'static str>,
    piece: usize,
) -> (SocketAddr, Arc<AtomicUsize>, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let received: Received = Arc::default();
    let answers = Arc::new(std::sync::Mutex::new(answers.into_iter()));
    let (count, log) = (accepted.clone(), received.clone());
    tokio::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            conn.set_nodelay(true).unwrap();
            count.fetch_add(1, Ordering::SeqCst);
            let (answers, log) = (answers.clone(), log.clone());
            tokio::spawn(async move {
                while let Some(request) = read_request(&mut conn).await {
                    log.lock().unwrap().push(request);
                    let Some(answer) = answers.lock().unwrap().next() else {
                        return;
                    };
                    let (answer, close) = match answer.strip_prefix('!') {
                        Some(rest) => (rest, true),
                        None => (answer, false),
                    };
                    for part in answer.as_bytes().chunks(piece) {
                        if conn.write_all(part).await.is_err() {
                            return;
                        }
                        if piece < answer.len() {
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                    }
                    if close {
                        // A lingering close: unread request bytes would make
                        // the kernel reset the connection, losing the answer.
                        let _ = conn.shutdown().await;
                        let mut rest = [0; 4096];
                        let drain =
                            async { while matches!(conn.read(&mut rest).await, Ok(n) if n > 0) {} };
                        let _ = tokio::time::timeout(Duration::from_secs(5), drain).await;
                        return;
                    }
                }
            });
        }
    });
    (addr, accepted, received)
}

/// One request, head and body (by `content-length`, or chunked up to the end
/// of its trailer section), as text; `None` once the peer closed.
async fn read_request(conn: &mut TcpStream) -> Option<String> {
    let mut raw = Vec::new();
    let mut byte = [0; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        if conn.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        raw.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&raw).to_lowercase();
    if head.contains("x-answer-early") {
        return Some(head);
    }
    if let Some(n) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map(|n| n.trim().parse::<usize>().unwrap())
    {
        let mut body = vec![0; n];
        conn.read_exact(&mut body).await.ok()?;
        raw.extend(body);
    } else if head.contains("transfer-encoding: chunked") {
        let start = raw.len();
        // Ends with the last chunk's empty line after optional trailers.
        while !(raw[start..].starts_with(b"0\r\n")
            || raw[start..].windows(4).any(|w| w == b"\n0\r\n"))
            || !raw.ends_with(b"\r\n\r\n")
        {
            if conn.read(&mut byte).await.ok()? == 0 {
                return None;
            }
            raw.push(byte[0]);
        }
    }
    Some(String::from_utf8_lossy(&raw).into_owned())
}

fn forwarder() -> Forwarder {
    Forwarder::new(Transport::default())
}

fn target(addr: SocketAddr) -> Target {
    Target::parse(&format!("http://{addr}")).unwrap()
}

/// The body and trailers of a response.
async fn read_all(response: http::Response<Body>) -> (Bytes, Option<http::HeaderMap>) {
    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned();
    (collected.to_bytes(), trailers)
}

fn request(method: Method, path: &str, body: Body) -> HttpRequest {
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", "app.example")
        .body(body)
        .unwrap()
}

#[tokio::test]
async fn chunked_responses_arrive_whole_with_trailers_even_byte_by_byte() {
    let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-sum\r\n\r\n\
                   5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-sum: 42\r\n\r\n";
    let (addr, accepted, _) = scripted(vec![chunked, chunked], 1).await;
    let forwarder = forwarder();
    for _ in 0..2 {
        let response = forwarder.forward(get("/"), &target(addr)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        // Framing is the proxy's business: the client side re-frames.
        assert!(!response.headers().contains_key("transfer-encoding"));
        let (body, trailers) = read_all(response).await;
        assert_eq!(body, "hello world");
        assert_eq!(trailers.unwrap()["x-sum"], "42");
        tokio::task::yield_now().await;
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "the connection is reused"
    );
}

#[tokio::test]
async fn a_response_without_length_is_read_until_close_and_its_connection_not_reused() {
    let (addr, accepted, _) = scripted(
        vec![
            "!HTTP/1.1 200 OK\r\n\r\nall of it",
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        ],
        4,
    )
    .await;
    let forwarder = forwarder();
    let response = forwarder.forward(get("/"), &target(addr)).await.unwrap();
    assert_eq!(read_all(response).await.0, "all of it");
    let response = forwarder.forward(get("/"), &target(addr)).await.unwrap();
    assert_eq!(read_all(response).await.0, "ok");
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn informational_responses_are_skipped() {
    let (addr, _, _) = scripted(
        vec![
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n\
             HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        ],
        7,
    )
    .await;
    let response = forwarder().forward(get("/"), &target(addr)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!response.headers().contains_key("link"));
    assert_eq!(read_all(response).await.0, "ok");
}

#[tokio::test]
async fn head_204_and_304_responses_have_no_body_and_keep_their_connection() {
    let (addr, accepted, _) = scripted(
        vec![
            "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\netag: \"x\"\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        ],
        64,
    )
    .await;
    let forwarder = forwarder();
    let head = forwarder
        .forward(request(Method::HEAD, "/", Body::empty()), &target(addr))
        .await
        .unwrap();
    assert_eq!(head.headers()["content-length"], "10");
    assert!(read_all(head).await.0.is_empty());
    for status in [StatusCode::NO_CONTENT, StatusCode::NOT_MODIFIED] {
        let response = forwarder.forward(get("/"), &target(addr)).await.unwrap();
        assert_eq!(response.status(), status);
        assert!(read_all(response).await.0.is_empty());
    }
    let response = forwarder.forward(get("/"), &target(addr)).await.unwrap();
    assert_eq!(read_all(response).await.0, "ok");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn request_bodies_are_framed_by_length_or_chunked_with_trailers() {
    let ok = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
    let (addr, _, received) = scripted(vec![ok, ok, ok], 64).await;
    let forwarder = forwarder();

    forwarder
        .forward(
            request(Method::POST, "/known", Body::from("abc")),
            &target(addr),
        )
        .await
        .unwrap();
    let (tx, rx) = mpsc::channel(4);
    tx.send(Frame::data(Bytes::from_static(b"abc")))
        .await
        .unwrap();
    tx.send(Frame::data(Bytes::from_static(b"de")))
        .await
        .unwrap();
    let mut trailers = http::HeaderMap::new();
    trailers.insert("x-t", "1".parse().unwrap());
    tx.send(Frame::trailers(trailers)).await.unwrap();
    drop(tx);
    forwarder
        .forward(
            request(Method::POST, "/stream", Body::new(ChannelBody(rx))),
            &target(addr),
        )
        .await
        .unwrap();
    forwarder
        .forward(
            request(Method::POST, "/empty", Body::empty()),
            &target(addr),
        )
        .await
        .unwrap();

    let received = received.lock().unwrap().clone();
    assert!(
        received[0].starts_with("POST /known HTTP/1.1\r\n"),
        "{}",
        received[0]
    );
    assert!(
        received[0].ends_with("content-length: 3\r\n\r\nabc"),
        "{}",
        received[0]
    );
    assert!(
        received[1].contains("transfer-encoding: chunked\r\n"),
        "{}",
        received[1]
    );
    assert!(
        received[1].ends_with("\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nx-t: 1\r\n\r\n"),
        "{}",
        received[1]
    );
    assert!(
        received[2].ends_with("content-length: 0\r\n\r\n"),
        "{}",
        received[2]
    );
}

#[tokio::test]
async fn an_early_answer_arrives_though_the_upload_is_not_finished() {
    let (addr, accepted, _) = scripted(
        vec![
            "!HTTP/1.1 413 Payload Too Large\r\nconnection: close\r\ncontent-length: 4\r\n\r\nbig!",
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        ],
        64,
    )
    .await;
    // A body that never ends: the backend answers from the head.
    let (tx, rx) = mpsc::channel(4);
    tx.send(Frame::data(Bytes::from_static(b"part")))
        .await
        .unwrap();
    let mut upload = request(Method::POST, "/upload", Body::new(ChannelBody(rx)));
    upload
        .headers_mut()
        .insert("x-answer-early", "1".parse().unwrap());
    let forwarder = forwarder();
    let response = forwarder.forward(upload, &target(addr)).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(read_all(response).await.0, "big!");
    drop(tx);
    let response = forwarder.forward(get("/"), &target(addr)).await.unwrap();
    assert_eq!(read_all(response).await.0, "ok");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "the cut-short upload's connection is not reused"
    );
}

#[tokio::test]
async fn broken_responses_are_upstream_errors() {
    let long_head: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nx-big: {}\r\n\r\n",
            "y".repeat(70 * 1024)
        )
        .into_boxed_str(),
    );
    for answer in [
        "!NOT HTTP AT ALL\r\n\r\n",
        "!HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nx",
        "!HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n",
        "!HTTP/1.1 200 OK\r\ncontent-le",
        long_head,
    ] {
        let (addr, _, _) = scripted(vec![answer], 4096).await;
        match forwarder().forward(get("/"), &target(addr)).await {
            Err(ProxyError::Upstream { .. }) => {}
            other => panic!("{answer:.40}: {:?}", other.map(|r| r.status())),
        }
    }
}

#[tokio::test]
async fn a_body_cut_short_is_an_error_not_a_short_success() {
    for answer in [
        "!HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello",
        "!HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "!HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    ] {
        let (addr, _, _) = scripted(vec![answer], 4096).await;
        let response = forwarder().forward(get("/"), &target(addr)).await.unwrap();
        assert!(
            response.into_body().collect().await.is_err(),
            "{answer:.60}"
        );
    }
}

#[tokio::test]
async fn stray_bytes_after_a_response_retire_its_connection() {
    let (addr, accepted, _) = scripted(
        vec![
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nstray",
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        ],
        4096,
    )
    .await;
    let forwarder = forwarder();
    for _ in 0..2 {
        let response = forwarder.forward(get("/"), &target(addr)).await.unwrap();
        assert_eq!(read_all(response).await.0, "ok");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn host_is_sent_and_hop_by_hop_fields_are_not() {
    let (addr, _, received) =
        scripted(vec!["HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"], 64).await;
    let mut request = get("/x?y=1");
    request.headers_mut().remove("host");
    request
        .headers_mut()
        .insert("connection", "keep-alive, x-hop".parse().unwrap());
    request.headers_mut().insert("x-hop", "1".parse().unwrap());
    request.headers_mut().insert("x-end", "2".parse().unwrap());
    forwarder().forward(request, &target(addr)).await.unwrap();
    let sent = received.lock().unwrap()[0].clone();
    assert!(sent.starts_with("GET /x?y=1 HTTP/1.1\r\n"), "{sent}");
    assert!(sent.contains(&format!("host: {addr}\r\n")), "{sent}");
    assert!(sent.contains("x-end: 2\r\n"), "{sent}");
    assert!(
        !sent.contains("x-hop") && !sent.contains("connection"),
        "{sent}"
    );
}

/// A request body that gives `part` and then fails, as hyper's does when the
/// client goes away or its entrypoint's `readTimeout` passes.
struct FailingBody(bool);

impl http_body::Body for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if std::mem::replace(&mut self.0, true) {
            std::task::Poll::Ready(Some(Err(std::io::ErrorKind::TimedOut.into())))
        } else {
            std::task::Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"part")))))
        }
    }
}

#[tokio::test]
async fn a_failing_request_body_ends_the_exchange_at_once() {
    // The backend waits for the 100 bytes announced; it never answers.
    let (addr, _, _) = scripted(vec!["HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"], 64).await;
    let mut upload = request(Method::POST, "/", Body::new(FailingBody(false)));
    upload
        .headers_mut()
        .insert("content-length", "100".parse().unwrap());
    let result = tokio::time::timeout(
        Duration::from_secs(5),
        forwarder().forward(upload, &target(addr)),
    )
    .await
    .expect("the exchange ends without the backend");
    assert!(
        matches!(result, Err(ProxyError::ClientClosed)),
        "{:?}",
        result.map(|r| r.status())
    );
}
