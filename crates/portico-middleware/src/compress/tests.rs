use std::{
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

use async_compression::tokio::bufread::{BrotliDecoder, GzipDecoder, ZstdDecoder};
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::{Body as _, Frame};
use http_body_util::BodyExt;
use portico_core::{Body, BoxError};
use tokio::{io::AsyncReadExt, sync::mpsc};
use tower::{ServiceExt, service_fn};

use super::*;

const TEXT: &str = "Portico compresses this sentence over and over. ";

fn big() -> String {
    TEXT.repeat(60)
}

/// A backend answering `body` with `headers`; `length` sets `Content-Length`.
async fn exchange(
    layer: &CompressLayer,
    request: Request<()>,
    status: StatusCode,
    headers: &[(&str, &str)],
    body: String,
    length: bool,
) -> Response<Body> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let svc = layer.layer(service_fn(move |_: Request<()>| {
        let mut response = if length {
            Response::new(Body::from(body.clone()))
        } else {
            Response::new(Body::new(Chunks(
                body.clone()
                    .into_bytes()
                    .chunks(100)
                    .map(Bytes::copy_from_slice)
                    .collect(),
            )))
        };
        *response.status_mut() = status;
        for (k, v) in &headers {
            response.headers_mut().insert(
                k.parse::<http::HeaderName>().expect("name"),
                v.parse().expect("value"),
            );
        }
        if length {
            let len = response.body().size_hint().exact().unwrap_or(0);
            response.headers_mut().insert("content-length", len.into());
        }
        async move { Ok::<_, Infallible>(response) }
    }));
    svc.oneshot(request).await.expect("infallible")
}

/// A body of several chunks with no known length.
struct Chunks(std::collections::VecDeque<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|c| Ok(Frame::data(c))))
    }
}

fn get(accept: Option<&str>) -> Request<()> {
    let mut builder = Request::get("/");
    if let Some(accept) = accept {
        builder = builder.header("accept-encoding", accept);
    }
    builder.body(()).expect("request")
}

async fn decoded(response: Response<Body>) -> String {
    let encoding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let mut out = Vec::new();
    let reader = &bytes[..];
    match encoding.as_deref() {
        Some("gzip") => GzipDecoder::new(reader).read_to_end(&mut out).await,
        Some("br") => BrotliDecoder::new(reader).read_to_end(&mut out).await,
        Some("zstd") => ZstdDecoder::new(reader).read_to_end(&mut out).await,
        None => {
            out = bytes.to_vec();
            Ok(0)
        }
        Some(other) => panic!("unexpected encoding {other}"),
    }
    .expect("decodes");
    String::from_utf8(out).expect("utf-8")
}

#[tokio::test]
async fn each_encoding_round_trips_and_varies() {
    let layer = CompressLayer::new();
    for (accept, expected) in [
        ("gzip", "gzip"),
        ("br", "br"),
        ("zstd", "zstd"),
        ("gzip, br, zstd", "zstd"),
    ] {
        for length in [true, false] {
            let response = exchange(
                &layer,
                get(Some(accept)),
                StatusCode::OK,
                &[("content-type", "text/html; charset=utf-8")],
                big(),
                length,
            )
            .await;
            assert_eq!(response.headers()["content-encoding"], expected);
            assert_eq!(response.headers()["vary"], "Accept-Encoding");
            assert!(!response.headers().contains_key("content-length"));
            assert_eq!(decoded(response).await, big());
        }
    }
}

#[tokio::test]
async fn small_bodies_stay_plain() {
    let layer = CompressLayer::new().min_size(2048);
    let body = TEXT.repeat(30); // 1440 bytes
    for length in [true, false] {
        let response = exchange(
            &layer,
            get(Some("gzip")),
            StatusCode::OK,
            &[],
            body.clone(),
            length,
        )
        .await;
        assert!(!response.headers().contains_key("content-encoding"));
        assert_eq!(response.headers()["vary"], "Accept-Encoding");
        assert_eq!(
            response.headers()["content-length"],
            body.len().to_string().as_str()
        );
        assert_eq!(decoded(response).await, body);
    }
    // The default minimum is 1024 bytes.
    let response = exchange(
        &CompressLayer::new(),
        get(Some("gzip")),
        StatusCode::OK,
        &[],
        body.clone(),
        false,
    )
    .await;
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn never_compressed() {
    let layer = CompressLayer::new().excluded_content_types(vec!["image/svg+xml".into()]);
    type Case = (Request<()>, StatusCode, Vec<(&'static str, &'static str)>);
    let cases: Vec<Case> = vec![
        (
            Request::head("/")
                .header("accept-encoding", "gzip")
                .body(())
                .expect("r"),
            StatusCode::OK,
            vec![],
        ),
        (
            Request::get("/")
                .header("accept-encoding", "gzip")
                .header("range", "bytes=0-10")
                .body(())
                .expect("r"),
            StatusCode::OK,
            vec![],
        ),
        (
            Request::post("/")
                .header("accept-encoding", "gzip")
                .header("content-type", "application/grpc")
                .body(())
                .expect("r"),
            StatusCode::OK,
            vec![],
        ),
        (
            get(Some("gzip")),
            StatusCode::OK,
            vec![("content-encoding", "br")],
        ),
        (
            get(Some("gzip")),
            StatusCode::PARTIAL_CONTENT,
            vec![("content-range", "bytes 0-10/100")],
        ),
        (
            get(Some("gzip")),
            StatusCode::OK,
            vec![("content-type", "application/grpc+proto")],
        ),
        (
            get(Some("gzip")),
            StatusCode::OK,
            vec![("content-type", "application/grpc")],
        ),
        (
            get(Some("gzip")),
            StatusCode::OK,
            vec![("content-type", "IMAGE/SVG+XML; charset=utf-8")],
        ),
        (
            get(Some("gzip")),
            StatusCode::OK,
            vec![("content-type", "not a media type")],
        ),
        (get(Some("gzip")), StatusCode::NO_CONTENT, vec![]),
        (get(Some("")), StatusCode::OK, vec![]),
        (get(None), StatusCode::OK, vec![]),
        (get(Some("deflate")), StatusCode::OK, vec![]),
    ];
    for (i, (request, status, headers)) in cases.into_iter().enumerate() {
        let grpc_plus = headers.iter().any(|(_, v)| *v == "application/grpc+proto");
        let response = exchange(&layer, request, status, &headers, big(), true).await;
        let encoding = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        if grpc_plus {
            // Only the exact `application/grpc` media type is excluded.
            assert_eq!(encoding.as_deref(), Some("gzip"), "case {i}");
            continue;
        }
        assert!(
            encoding.is_none() || encoding.as_deref() == Some("br"),
            "case {i}: {encoding:?}"
        );
        assert!(
            response.headers().contains_key("content-length"),
            "case {i}"
        );
    }
}

#[tokio::test]
async fn included_types_and_default_encoding() {
    let layer = CompressLayer::new()
        .included_content_types(vec!["application/json".into()])
        .default_encoding(Some(Encoding::Gzip));
    let json = exchange(
        &layer,
        get(None),
        StatusCode::OK,
        &[("content-type", "application/json")],
        big(),
        true,
    )
    .await;
    assert_eq!(json.headers()["content-encoding"], "gzip");
    let wildcard = exchange(
        &layer,
        get(Some("*")),
        StatusCode::OK,
        &[("content-type", "application/json")],
        big(),
        true,
    )
    .await;
    assert_eq!(wildcard.headers()["content-encoding"], "gzip");
    let html = exchange(
        &layer,
        get(Some("gzip")),
        StatusCode::OK,
        &[("content-type", "text/html")],
        big(),
        true,
    )
    .await;
    assert!(!html.headers().contains_key("content-encoding"));
    let none = exchange(&layer, get(Some("br")), StatusCode::OK, &[], big(), true).await;
    assert!(!none.headers().contains_key("content-encoding"));
}

/// A body fed through a channel.
struct Fed(mpsc::Receiver<Bytes>);

impl http_body::Body for Fed {
    type Data = Bytes;
    type Error = BoxError;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.0.poll_recv(cx).map(|c| c.map(|c| Ok(Frame::data(c))))
    }
}

#[tokio::test]
async fn streams_and_flushes_when_the_backend_pauses() {
    let (tx, rx) = mpsc::channel(4);
    let rx = std::sync::Mutex::new(Some(rx));
    let layer = CompressLayer::new().min_size(10);
    let svc = layer.layer(service_fn(move |_: Request<()>| {
        let rx = rx.lock().expect("lock").take().expect("one request");
        async move { Ok::<_, Infallible>(Response::new(Body::new(Fed(rx)))) }
    }));
    tx.send(Bytes::from_static(b"first chunk of a stream\n"))
        .await
        .expect("send");
    let response = svc.oneshot(get(Some("gzip"))).await.expect("infallible");
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let mut body = response.into_body();
    // Compressed bytes arrive while the backend is still sending.
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
        .await
        .expect("a frame before the end")
        .expect("frame")
        .expect("ok");
    assert!(!frame.into_data().expect("data").is_empty());
    tx.send(Bytes::from_static(b"second\n"))
        .await
        .expect("send");
    drop(tx);
    let rest = body.collect().await.expect("rest");
    assert!(!rest.to_bytes().is_empty());
}
