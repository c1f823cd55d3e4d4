//! `/data`, `/echo` over HTTP, and `/sse`.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

use crate::support::{Server, get, post, raw};

#[tokio::test]
async fn data_streams_the_requested_size() {
    let server = Server::start(None).await;
    let answer = get(&server.url("/data?size=1&unit=MB")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len(), 1 << 20);
    assert_eq!(answer.header("content-length"), Some("1048576"));
    assert!(answer.body.starts_with(b"ABCDEFGHIJKLMNOPQRSTUVWXYZAB"));

    let answer = get(&server.url("/data?size=3&unit=kb&attachment=true")).await;
    assert_eq!(answer.body.len(), 3 * 1024);
    assert!(
        answer
            .header("content-disposition")
            .is_some_and(|v| v.starts_with("attachment"))
    );

    assert_eq!(get(&server.url("/data")).await.body.len(), 1);
    assert_eq!(get(&server.url("/data?size=0")).await.body.len(), 0);
}

#[tokio::test]
async fn data_refuses_more_than_a_gibibyte_and_bad_input() {
    let server = Server::start(None).await;
    let answer = get(&server.url("/data?size=2&unit=GB")).await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.text().contains("\"2GB\" exceeds the maximum"),
        "{}",
        answer.text()
    );
    assert_eq!(get(&server.url("/data?size=1&unit=TB")).await.status, 400);
    assert_eq!(get(&server.url("/data?size=ten")).await.status, 400);
    assert_eq!(
        get(&server.url("/data?size=1&unit=parsec")).await.status,
        400
    );
}

#[tokio::test]
async fn data_of_a_gibibyte_is_streamed_not_buffered() {
    let server = Server::start(None).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    stream
        .write_all(b"GET /data?size=1&unit=GB HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    // The head arrives at once; a buffering server would first build 1 GiB.
    let mut head = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("head in time")
            .expect("read");
        assert!(read > 0, "connection closed before the head");
        head.extend_from_slice(&buf[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.contains("content-length: 1073741824"), "{head}");
}

#[tokio::test]
async fn echo_returns_the_body_and_its_content_type() {
    let server = Server::start(None).await;
    let request = hyper::Request::put(server.url("/echo"))
        .header("content-type", "application/x-test")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(
            b"ping \x00\xff",
        )))
        .expect("request");
    let answer = crate::support::send(request, false).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/x-test"));
    assert_eq!(&answer.body[..], b"ping \x00\xff");
    assert_eq!(post(&server.url("/echo"), "").await.body.len(), 0);
}

#[tokio::test]
async fn echo_streams_each_chunk_back_before_the_body_ends() {
    let server = Server::start(None).await;
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let mut stream = BufReader::new(stream);
    stream
        .get_mut()
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n",
        )
        .await
        .expect("write");
    let mut head = String::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.expect("read head");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
    }
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    let mut size = String::new();
    let mut chunk = String::new();
    stream.read_line(&mut size).await.expect("chunk size");
    stream.read_line(&mut chunk).await.expect("chunk");
    assert_eq!((size.as_str(), chunk.as_str()), ("5\r\n", "first\r\n"));

    // Only now does the request body end.
    stream
        .get_mut()
        .write_all(b"6\r\nsecond\r\n0\r\n\r\n")
        .await
        .expect("write");
    let mut rest = String::new();
    stream.read_line(&mut size).await.expect("chunk size");
    stream.read_line(&mut rest).await.expect("chunk");
    assert_eq!(rest, "second\r\n");
}

#[tokio::test]
async fn echo_get_without_upgrade_is_a_client_error() {
    let server = Server::start(None).await;
    let status = get(&server.url("/echo")).await.status;
    assert!((400..500).contains(&status), "{status}");
}

#[tokio::test]
async fn sse_sends_the_requested_events_then_ends() {
    let server = Server::start(None).await;
    let (_, answer) = raw(
        server.addr,
        "GET /sse?count=3&interval=20ms HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        answer.contains("content-type: text/event-stream"),
        "{answer}"
    );
    for n in 0..3 {
        assert!(
            answer.contains(&format!("event: tick\nid: {n}\ndata: {n}\n\n")),
            "{answer}"
        );
    }
    assert!(!answer.contains("data: 3\n"), "{answer}");
}

#[tokio::test]
async fn sse_limits_count_and_interval() {
    let server = Server::start(None).await;
    assert_eq!(get(&server.url("/sse?count=10001")).await.status, 400);
    assert_eq!(get(&server.url("/sse?interval=2m")).await.status, 400);
    assert_eq!(get(&server.url("/sse?count=many")).await.status, 400);
    assert_eq!(get(&server.url("/sse?count=0")).await.body.len(), 0);
}
