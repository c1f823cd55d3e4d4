//! A response body read off its connection, which goes back to the pool once
//! the body has been read to the end.

use std::{
    io,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll, ready},
};

use bytes::{Buf, Bytes};
use http::{HeaderMap, HeaderName, HeaderValue};
use http_body::{Frame, SizeHint};

use super::{
    Http1Pool, ServerKey,
    conn::Conn,
    request::Upload,
    response::{Framing, MAX_HEAD},
};

/// The longest chunk-size line accepted (size, extensions, CRLF).
const MAX_CHUNK_LINE: usize = 4 * 1024;

/// The most trailer fields accepted.
const MAX_TRAILERS: usize = 64;

/// A response body streamed from its connection.
#[derive(Debug)]
pub(super) struct PooledBody {
    /// `None` once given back, or dropped after a failure.
    conn: Option<Conn>,
    /// The rest of the request body, when the backend answered before it was
    /// all sent: it keeps being written while the response is read.
    upload: Option<Upload>,
    decoder: Decoder,
    keep_alive: bool,
    pool: Arc<Http1Pool>,
    server: ServerKey,
}

/// Where the body stands.
#[derive(Debug)]
enum Decoder {
    /// Bytes left to read.
    Length(u64),
    Chunked(Chunked),
    UntilClose,
    Done,
}

#[derive(Clone, Copy, Debug)]
enum Chunked {
    /// A chunk-size line.
    Size,
    /// Bytes left in the current chunk.
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// The trailer section after the last chunk.
    Trailers,
}

// === impl PooledBody ===

impl PooledBody {
    pub(super) fn new(
        conn: Conn,
        upload: Option<Upload>,
        framing: Framing,
        keep_alive: bool,
        pool: Arc<Http1Pool>,
        server: ServerKey,
    ) -> PooledBody {
        let decoder = match framing {
            Framing::Empty | Framing::Length(0) => Decoder::Done,
            Framing::Length(n) => Decoder::Length(n),
            Framing::Chunked => Decoder::Chunked(Chunked::Size),
            Framing::UntilClose => Decoder::UntilClose,
        };
        PooledBody {
            conn: Some(conn),
            upload,
            decoder,
            keep_alive,
            pool,
            server,
        }
    }

    /// Gives the connection back when it can carry another exchange: the body
    /// read to its end, the request fully written, nothing left over.
    fn release(&mut self) {
        if let Some(conn) = self.conn.take()
            && self.keep_alive
            && self.upload.is_none()
        {
            self.pool.checkin(self.server.clone(), conn);
        }
    }
}

impl http_body::Body for PooledBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        let Some(conn) = this.conn.as_mut() else {
            return Poll::Ready(None);
        };
        if let Some(upload) = &mut this.upload {
            match upload.poll_write(&mut conn.stream, cx) {
                Poll::Ready(Ok(())) => this.upload = None,
                // The backend answered already; what it did not read is dropped,
                // and so is the connection afterwards.
                Poll::Ready(Err(_)) => {
                    this.upload = None;
                    this.keep_alive = false;
                }
                Poll::Pending => {}
            }
        }
        let frame = this.decoder.poll_decode(conn, cx);
        match &frame {
            Poll::Ready(Some(Err(_))) => this.conn = None,
            _ if this.decoder.is_done() => this.release(),
            _ => {}
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.decoder.is_done()
    }

    fn size_hint(&self) -> SizeHint {
        match self.decoder {
            Decoder::Length(n) => SizeHint::with_exact(n),
            Decoder::Done => SizeHint::with_exact(0),
            Decoder::Chunked(_) | Decoder::UntilClose => SizeHint::default(),
        }
    }
}

impl Drop for PooledBody {
    fn drop(&mut self) {
        // Read to the end: reusable. Dropped half-read: the rest of the response
        // is still on the wire, so the connection is closed.
        if self.decoder.is_done() {
            self.release();
        }
    }
}

// === impl Decoder ===

impl Decoder {
    fn is_done(&self) -> bool {
        matches!(self, Decoder::Done)
    }

    /// The next frame: data as it arrives, then trailers (chunked), then the end.
    fn poll_decode(
        &mut self,
        conn: &mut Conn,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        loop {
            let buf = &mut conn.read_buf;
            match self {
                Decoder::Done => return Poll::Ready(None),
                Decoder::Length(left) if !buf.is_empty() => {
                    let data = take(buf, left);
                    if *left == 0 {
                        *self = Decoder::Done;
                    }
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Decoder::UntilClose if !buf.is_empty() => {
                    return Poll::Ready(Some(Ok(Frame::data(buf.split().freeze()))));
                }
                Decoder::Chunked(Chunked::Size) if !buf.is_empty() => {
                    match httparse::parse_chunk_size(buf) {
                        Ok(httparse::Status::Complete((used, size))) => {
                            buf.advance(used);
                            *self = Decoder::Chunked(if size == 0 {
                                Chunked::Trailers
                            } else {
                                Chunked::Data(size)
                            });
                            continue;
                        }
                        Ok(httparse::Status::Partial) if buf.len() > MAX_CHUNK_LINE => {
                            return invalid("chunk-size line too long");
                        }
                        Ok(httparse::Status::Partial) => {}
                        Err(_) => return invalid("invalid chunk size"),
                    }
                }
                Decoder::Chunked(Chunked::Data(left)) if !buf.is_empty() => {
                    let data = take(buf, left);
                    if *left == 0 {
                        *self = Decoder::Chunked(Chunked::DataEnd);
                    }
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Decoder::Chunked(Chunked::DataEnd) if buf.len() >= 2 => {
                    if &buf[..2] != b"\r\n" {
                        return invalid("chunk data not followed by CRLF");
                    }
                    buf.advance(2);
                    *self = Decoder::Chunked(Chunked::Size);
                    continue;
                }
                Decoder::Chunked(Chunked::Trailers) if !buf.is_empty() => {
                    let mut fields = [httparse::EMPTY_HEADER; MAX_TRAILERS];
                    match httparse::parse_headers(buf, &mut fields) {
                        Ok(httparse::Status::Complete((used, fields))) => {
                            let trailers = trailer_map(fields);
                            buf.advance(used);
                            *self = Decoder::Done;
                            return Poll::Ready(trailers.map(|t| Ok(Frame::trailers(t))));
                        }
                        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
                            return invalid("trailer section too large");
                        }
                        Ok(httparse::Status::Partial) => {}
                        Err(_) => return invalid("invalid trailer section"),
                    }
                }
                _ => {}
            }
            // More bytes are needed.
            match ready!(conn.poll_fill(cx)) {
                Ok(0) if matches!(self, Decoder::UntilClose) => {
                    *self = Decoder::Done;
                    return Poll::Ready(None);
                }
                Ok(0) => {
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "backend closed the connection before the end of the response body",
                    ))));
                }
                Ok(_) => {}
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}

/// Up to `left` bytes from the front of `buf`, counted off `left`.
fn take(buf: &mut bytes::BytesMut, left: &mut u64) -> Bytes {
    let n = usize::try_from(*left).map_or(buf.len(), |l| l.min(buf.len()));
    *left -= n as u64;
    buf.split_to(n).freeze()
}

/// Trailer fields as a map (`None` when there are none); fields http refuses
/// are left out.
fn trailer_map(fields: &[httparse::Header<'_>]) -> Option<HeaderMap> {
    if fields.is_empty() {
        return None;
    }
    let mut map = HeaderMap::with_capacity(fields.len());
    for field in fields {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(field.name.as_bytes()),
            HeaderValue::from_bytes(field.value),
        ) {
            map.append(name, value);
        }
    }
    Some(map)
}

fn invalid(what: &'static str) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
    Poll::Ready(Some(Err(io::Error::new(io::ErrorKind::InvalidData, what))))
}
