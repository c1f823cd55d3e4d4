//! Unit tests of [`collect_up_to`] and [`BufferedBody`].

use std::{
    collections::VecDeque,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use http_body::Frame;
use http_body_util::BodyExt;

use super::{Collected, collect_up_to};
use crate::Body;

/// A body of several data frames with no announced length.
struct Chunks(VecDeque<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
    }
}

fn chunked(parts: &[&'static str]) -> Body {
    Body::new(Chunks(
        parts
            .iter()
            .map(|p| Bytes::from_static(p.as_bytes()))
            .collect(),
    ))
}

async fn bytes_of(body: Body) -> Vec<u8> {
    body.collect()
        .await
        .map(|c| c.to_bytes().to_vec())
        .unwrap_or_default()
}

#[tokio::test]
async fn small_bodies_are_kept_whole_and_replayable() {
    let Ok(Collected::Whole(buffered)) = collect_up_to(Body::from("hello"), Some(5)).await else {
        panic!("expected a whole body");
    };
    assert_eq!(bytes_of(buffered.body()).await, b"hello");
    assert_eq!(bytes_of(buffered.body()).await, b"hello");
    assert!(matches!(
        collect_up_to(Body::empty(), Some(0)).await,
        Ok(Collected::Whole(_))
    ));
}

#[tokio::test]
async fn large_bodies_come_back_whole() {
    let Ok(Collected::Partial(read, rest)) =
        collect_up_to(Body::from("hello world"), Some(4)).await
    else {
        panic!("expected too large");
    };
    assert_eq!(bytes_of(read.then(rest)).await, b"hello world");
    // Without a length, the body is read only until it passes the limit.
    let Ok(Collected::Partial(read, rest)) =
        collect_up_to(chunked(&["ab", "cd", "ef", "gh"]), Some(3)).await
    else {
        panic!("expected too large");
    };
    assert_eq!(bytes_of(read.then(rest)).await, b"abcdefgh");
    let Ok(Collected::Whole(buffered)) = collect_up_to(chunked(&["ab", "cd"]), Some(4)).await
    else {
        panic!("expected a whole body");
    };
    assert_eq!(bytes_of(buffered.body()).await, b"abcd");
}
