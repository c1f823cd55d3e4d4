//! Streaming compression of a body.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll, ready},
};

use async_compression::{
    Level,
    tokio::bufread::{BrotliEncoder, GzipEncoder, ZstdEncoder},
};
use bytes::{Buf, Bytes};
use http_body::Body as _;
use portico_core::Body;
use tokio::io::{AsyncBufRead, AsyncRead, ReadBuf};
use tokio_util::io::ReaderStream;

use super::Encoding;

/// `body` compressed with `encoding`, as it streams (trailers are dropped).
pub(super) fn encode(body: Body, encoding: Encoding) -> Body {
    let reader = BodyReader {
        body,
        chunk: Bytes::new(),
        done: false,
    };
    let encoder: Pin<Box<dyn AsyncRead + Send>> = match encoding {
        // Traefik's levels: gzip and brotli 6, zstd's default.
        Encoding::Gzip => Box::pin(GzipEncoder::with_quality(reader, Level::Default)),
        Encoding::Brotli => Box::pin(BrotliEncoder::with_quality(reader, Level::Precise(6))),
        Encoding::Zstd => Box::pin(ZstdEncoder::with_quality(reader, Level::Default)),
    };
    Body::from_stream(ReaderStream::with_capacity(encoder, 16 * 1024))
}

/// A body read as bytes.
struct BodyReader {
    body: Body,
    chunk: Bytes,
    done: bool,
}

impl AsyncRead for BodyReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let available = ready!(self.as_mut().poll_fill_buf(cx))?;
        let n = available.len().min(buf.remaining());
        buf.put_slice(&available[..n]);
        self.consume(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncBufRead for BodyReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        while this.chunk.is_empty() && !this.done {
            match ready!(Pin::new(&mut this.body).poll_frame(cx)) {
                None => this.done = true,
                Some(Err(error)) => return Poll::Ready(Err(io::Error::other(error))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        this.chunk = data;
                    }
                }
            }
        }
        Poll::Ready(Ok(&this.chunk[..]))
    }

    fn consume(mut self: Pin<&mut Self>, amt: usize) {
        let amt = amt.min(self.chunk.len());
        self.chunk.advance(amt);
    }
}
