//! Request bodies read into memory up to a limit, to be sent more than once.

use std::{
    collections::VecDeque,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::BodyExt;
use portico_core::{Body, BoxError};

/// A whole body in memory (data, then trailers), replayable any number of times.
#[derive(Clone, Debug, Default)]
pub(crate) struct Buffered {
    chunks: Vec<Bytes>,
    trailers: Option<HeaderMap>,
    len: u64,
}

/// The outcome of [`read_up_to`].
#[derive(Debug)]
pub(crate) enum Read {
    /// The whole body fit within the limit.
    Whole(Buffered),
    /// The body is larger than the limit: the same body, still to be read in
    /// full (what was already read comes first).
    TooLarge(Body),
}

/// Reads `body` to its end unless it is larger than `limit` bytes.
///
/// A body announcing a larger length (`Content-Length`) is not read at all; a
/// body that turns out larger is read only up to just past the limit. Either
/// way [`Read::TooLarge`] hands back a body yielding every byte.
pub(crate) async fn read_up_to(mut body: Body, limit: u64) -> Result<Read, BoxError> {
    let mut buffered = Buffered::default();
    if body.is_end_stream() {
        return Ok(Read::Whole(buffered));
    }
    if body.size_hint().lower() > limit {
        return Ok(Read::TooLarge(body));
    }
    while let Some(frame) = body.frame().await {
        match frame?.into_data() {
            Ok(data) => {
                buffered.len += data.len() as u64;
                buffered.chunks.push(data);
                if buffered.len > limit {
                    return Ok(Read::TooLarge(buffered.then(body)));
                }
            }
            Err(frame) => {
                if let Ok(trailers) = frame.into_trailers() {
                    buffered.trailers = Some(trailers);
                }
            }
        }
    }
    Ok(Read::Whole(buffered))
}

// === impl Buffered ===

impl Buffered {
    /// A new body yielding the same bytes and trailers.
    pub(crate) fn body(&self) -> Body {
        if self.chunks.is_empty() && self.trailers.is_none() {
            return Body::empty();
        }
        Body::new(Replay {
            chunks: self.chunks.iter().cloned().collect(),
            trailers: self.trailers.clone(),
            rest: None,
            remaining: self.len,
        })
    }

    /// The bytes read so far, then whatever `rest` still yields.
    fn then(self, rest: Body) -> Body {
        Body::new(Replay {
            chunks: self.chunks.into(),
            trailers: None,
            rest: Some(rest),
            remaining: self.len,
        })
    }
}

/// Data chunks, then trailers or the rest of another body.
struct Replay {
    chunks: VecDeque<Bytes>,
    trailers: Option<HeaderMap>,
    rest: Option<Body>,
    /// Bytes left in `chunks`.
    remaining: u64,
}

impl http_body::Body for Replay {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Some(chunk) = self.chunks.pop_front() {
            self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(rest) = self.rest.as_mut() {
            return Pin::new(rest)
                .poll_frame(cx)
                .map(|f| f.map(|r| r.map_err(BoxError::from)));
        }
        Poll::Ready(self.trailers.take().map(|t| Ok(Frame::trailers(t))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
            && self.trailers.is_none()
            && self.rest.as_ref().is_none_or(|r| r.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        match &self.rest {
            None => SizeHint::with_exact(self.remaining),
            Some(rest) => {
                let hint = rest.size_hint();
                let mut out = SizeHint::new();
                out.set_lower(hint.lower().saturating_add(self.remaining));
                if let Some(upper) = hint.upper() {
                    out.set_upper(upper.saturating_add(self.remaining));
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let Ok(Read::Whole(buffered)) = read_up_to(Body::from("hello"), 5).await else {
            panic!("expected a whole body");
        };
        assert_eq!(bytes_of(buffered.body()).await, b"hello");
        assert_eq!(bytes_of(buffered.body()).await, b"hello");
        assert!(matches!(
            read_up_to(Body::empty(), 0).await,
            Ok(Read::Whole(_))
        ));
    }

    #[tokio::test]
    async fn large_bodies_come_back_whole() {
        let Ok(Read::TooLarge(body)) = read_up_to(Body::from("hello world"), 4).await else {
            panic!("expected too large");
        };
        assert_eq!(bytes_of(body).await, b"hello world");
        // Without a length, the body is read only until it passes the limit.
        let Ok(Read::TooLarge(body)) = read_up_to(chunked(&["ab", "cd", "ef", "gh"]), 3).await
        else {
            panic!("expected too large");
        };
        assert_eq!(bytes_of(body).await, b"abcdefgh");
        let Ok(Read::Whole(buffered)) = read_up_to(chunked(&["ab", "cd"]), 4).await else {
            panic!("expected a whole body");
        };
        assert_eq!(bytes_of(buffered.body()).await, b"abcd");
    }
}
