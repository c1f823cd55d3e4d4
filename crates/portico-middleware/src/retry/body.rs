//! Request bodies kept for replay, within a byte limit.

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

/// A whole body in memory: data then trailers, replayable any number of times.
#[derive(Clone, Debug, Default)]
pub(crate) struct Buffered {
    pub(crate) chunks: Vec<Bytes>,
    pub(crate) trailers: Option<HeaderMap>,
    pub(crate) len: u64,
}

/// The outcome of reading a body up to a limit.
#[derive(Debug)]
pub(crate) enum Collected {
    /// The whole body fit.
    Whole(Buffered),
    /// The limit was passed: what was read, and the rest still to read.
    Partial(Buffered, Body),
}

/// Reads `body` until its end or until more than `limit` bytes have been read.
pub(crate) async fn collect(mut body: Body, limit: Option<u64>) -> Result<Collected, BoxError> {
    let mut buffered = Buffered::default();
    if body.is_end_stream() {
        return Ok(Collected::Whole(buffered));
    }
    if let (Some(limit), Some(exact)) = (limit, body.size_hint().exact())
        && exact > limit
    {
        return Ok(Collected::Partial(buffered, body));
    }
    while let Some(frame) = body.frame().await {
        let frame = frame?;
        match frame.into_data() {
            Ok(data) => {
                buffered.len += data.len() as u64;
                buffered.chunks.push(data);
                if limit.is_some_and(|l| buffered.len > l) {
                    return Ok(Collected::Partial(buffered, body));
                }
            }
            Err(frame) => {
                if let Ok(trailers) = frame.into_trailers() {
                    buffered.trailers = Some(trailers);
                }
            }
        }
    }
    Ok(Collected::Whole(buffered))
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
    pub(crate) fn then(self, rest: Body) -> Body {
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
                out.set_lower(hint.lower() + self.remaining);
                if let Some(upper) = hint.upper() {
                    out.set_upper(upper + self.remaining);
                }
                out
            }
        }
    }
}
