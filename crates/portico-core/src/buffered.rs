//! Bodies read into memory, within a byte limit, to be sent more than once (retry,
//! mirroring, failover) or inspected before being passed on (compress, buffering).

use std::{
    collections::VecDeque,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::BodyExt;

use crate::{Body, BoxError};

/// A body in memory: data chunks, then trailers; replayable any number of times.
///
/// # Example
///
/// ```
/// use portico_core::{Body, BufferedBody, Collected, collect_up_to};
/// use http_body_util::BodyExt;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let Ok(Collected::Whole(buffered)) = collect_up_to(Body::from("hello"), Some(5)).await else {
///     panic!("fits");
/// };
/// for _ in 0..2 {
///     let bytes = buffered.body().collect().await.unwrap().to_bytes();
///     assert_eq!(bytes, "hello");
/// }
/// let Ok(Collected::Partial(read, rest)) = collect_up_to(Body::from("hello world"), Some(4)).await
/// else {
///     panic!("too large");
/// };
/// assert_eq!(read.then(rest).collect().await.unwrap().to_bytes(), "hello world");
/// # });
/// ```
#[derive(Clone, Debug, Default)]
pub struct BufferedBody {
    chunks: Vec<Bytes>,
    trailers: Option<HeaderMap>,
    len: u64,
}

/// The outcome of [`collect_up_to`].
#[derive(Debug)]
pub enum Collected {
    /// The whole body fit.
    Whole(BufferedBody),
    /// The body is larger than the limit: what was read, and the rest still to read
    /// ([`BufferedBody::then`] puts them back together).
    Partial(BufferedBody, Body),
}

/// Reads `body` to its end, or until more than `limit` bytes have been read. A body
/// announcing more than `limit` bytes is not read at all.
pub async fn collect_up_to(mut body: Body, limit: Option<u64>) -> Result<Collected, BoxError> {
    let mut buffered = BufferedBody::default();
    if body.is_end_stream() {
        return Ok(Collected::Whole(buffered));
    }
    if limit.is_some_and(|limit| body.size_hint().lower() > limit) {
        return Ok(Collected::Partial(buffered, body));
    }
    while let Some(frame) = body.frame().await {
        match frame?.into_data() {
            Ok(data) => {
                buffered.push(data);
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

// === impl BufferedBody ===

impl BufferedBody {
    /// Appends a data chunk.
    pub fn push(&mut self, data: Bytes) {
        self.len += data.len() as u64;
        self.chunks.push(data);
    }

    /// Sets the trailers that end the body.
    pub fn set_trailers(&mut self, trailers: Option<HeaderMap>) {
        self.trailers = trailers;
    }

    /// The trailers, if any.
    pub fn trailers(&self) -> Option<&HeaderMap> {
        self.trailers.as_ref()
    }

    /// The bytes held.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no byte is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Takes the data chunks out (the length and trailers stay).
    pub fn take_chunks(&mut self) -> Vec<Bytes> {
        std::mem::take(&mut self.chunks)
    }

    /// A new body yielding the same bytes and trailers.
    pub fn body(&self) -> Body {
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
    pub fn then(self, rest: Body) -> Body {
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
mod tests;
