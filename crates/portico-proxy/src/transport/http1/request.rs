//! A request on the wire: its head encoded once, its body framed as it streams.

use std::{
    collections::VecDeque,
    fmt::Write as _,
    io::{self, IoSlice},
    pin::Pin,
    task::{Context, Poll, ready},
};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::{
    HeaderMap, Method,
    header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING},
    uri::Authority,
};
use http_body::Body as _;
use portico_core::{Body, HttpRequest};
use tokio::{io::AsyncWrite, net::TcpStream};

use super::response::content_length;
use crate::retry::is_idempotent;

/// A request ready to be written: its encoded head and its body.
///
/// A request that was never written, or may be sent twice, goes out again as
/// the same bytes.
#[derive(Debug)]
pub(crate) struct Outgoing {
    head: Bytes,
    body: Option<(Body, Framing)>,
    /// `HEAD`: the response has no body, whatever its headers say.
    pub(super) is_head: bool,
    /// Idempotent and bodiless: may be sent again after a connection closed
    /// without answering.
    pub(super) replayable: bool,
}

/// How a request body is delimited.
#[derive(Clone, Copy, Debug)]
enum Framing {
    Length(u64),
    Chunked,
}

/// Why a request could not be written.
#[derive(Debug)]
pub(super) enum UploadError {
    /// Writing to the backend failed.
    Socket(io::Error),
    /// The request body failed (the client went away or was too slow) or did
    /// not match its declared length.
    Body(io::Error),
}

/// Writing one request: the head, then the body frame by frame.
#[derive(Debug)]
pub(super) struct Upload {
    /// The whole head, kept (not consumed) so that a second attempt can send it
    /// again without a copy.
    head: Bytes,
    /// Head bytes written so far.
    head_sent: usize,
    /// Body bytes framed and waiting for the socket.
    queued: VecDeque<Bytes>,
    body: Option<Body>,
    framing: Framing,
    /// Body bytes taken from the body so far.
    taken: u64,
    /// Whether any byte reached the socket (after that, a failure is not "unsent").
    pub(super) wrote_any: bool,
}

// === impl Outgoing ===

impl Outgoing {
    /// Encodes `request` (origin-form URI, hop-by-hop headers removed) for
    /// `server`: `Host` is the backend's when the request has none, and the body
    /// is delimited by `Content-Length` when its size is known, by chunked
    /// transfer coding otherwise.
    pub(crate) fn encode(request: HttpRequest, server: &Authority) -> Outgoing {
        let (parts, body) = request.into_parts();
        let is_empty = body.is_end_stream() || body.size_hint().exact() == Some(0);
        let declared = content_length(&parts.headers);
        let framing = if is_empty {
            None
        } else if let Some(n) = body.size_hint().exact().or(declared) {
            Some(Framing::Length(n))
        } else {
            Some(Framing::Chunked)
        };

        let mut head = BytesMut::with_capacity(256);
        head.put_slice(parts.method.as_str().as_bytes());
        head.put_u8(b' ');
        let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        head.put_slice(target.as_bytes());
        head.put_slice(b" HTTP/1.1\r\n");
        if !parts.headers.contains_key(HOST) {
            put_field(&mut head, b"host", server.as_str().as_bytes());
        }
        for (name, value) in &parts.headers {
            if name != CONTENT_LENGTH && name != TRANSFER_ENCODING {
                put_field(&mut head, name.as_str().as_bytes(), value.as_bytes());
            }
        }
        match framing {
            Some(Framing::Length(n)) => put_length(&mut head, n),
            Some(Framing::Chunked) => put_field(&mut head, b"transfer-encoding", b"chunked"),
            // An empty body is announced where the method defines one, as Go does.
            None if declared.is_some()
                || matches!(parts.method, Method::POST | Method::PUT | Method::PATCH) =>
            {
                put_length(&mut head, 0);
            }
            None => {}
        }
        head.put_slice(b"\r\n");

        Outgoing {
            head: head.freeze(),
            replayable: framing.is_none() && is_idempotent(&parts.method),
            is_head: parts.method == Method::HEAD,
            body: framing.map(|framing| (body, framing)),
        }
    }

    /// Starts writing this request. The head moves into the upload, which hands
    /// it back for a second attempt (see [`Outgoing::again`]).
    pub(super) fn upload(&mut self) -> Upload {
        let (body, framing) = match self.body.take() {
            Some((body, framing)) => (Some(body), framing),
            None => (None, Framing::Length(0)),
        };
        Upload {
            head: std::mem::take(&mut self.head),
            head_sent: 0,
            queued: VecDeque::new(),
            body,
            framing,
            taken: 0,
            wrote_any: false,
        }
    }

    /// The request again, from an upload that wrote nothing (its body untouched)
    /// or from a bodiless one.
    pub(super) fn again(&self, upload: Upload) -> Outgoing {
        Outgoing {
            head: upload.head,
            body: upload.body.map(|body| (body, upload.framing)),
            is_head: self.is_head,
            replayable: self.replayable,
        }
    }
}

fn put_field(head: &mut BytesMut, name: &[u8], value: &[u8]) {
    head.put_slice(name);
    head.put_slice(b": ");
    head.put_slice(value);
    head.put_slice(b"\r\n");
}

fn put_length(head: &mut BytesMut, n: u64) {
    put_field(
        head,
        b"content-length",
        itoa::Buffer::new().format(n).as_bytes(),
    );
}

// === impl Upload ===

impl Upload {
    /// Whether the whole request has been written.
    pub(super) fn is_done(&self) -> bool {
        self.head_sent == self.head.len() && self.queued.is_empty() && self.body.is_none()
    }

    /// Writes what can be written; ready once the whole request is out.
    pub(super) fn poll_write(
        &mut self,
        stream: &mut TcpStream,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), UploadError>> {
        loop {
            if self.head_sent < self.head.len() {
                let n = ready!(Pin::new(&mut *stream).poll_write(cx, &self.head[self.head_sent..]))
                    .map_err(UploadError::Socket)?;
                self.wrote(n).map_err(UploadError::Socket)?;
                self.head_sent += n;
                continue;
            }
            if !self.queued.is_empty() {
                let n = {
                    let mut slices = [IoSlice::new(&[]); 8];
                    let mut count = 0;
                    for (slot, part) in slices.iter_mut().zip(&self.queued) {
                        *slot = IoSlice::new(part);
                        count += 1;
                    }
                    ready!(Pin::new(&mut *stream).poll_write_vectored(cx, &slices[..count]))
                        .map_err(UploadError::Socket)?
                };
                self.wrote(n).map_err(UploadError::Socket)?;
                self.consume(n);
                continue;
            }
            let Some(body) = self.body.as_mut() else {
                return Poll::Ready(Ok(()));
            };
            match ready!(Pin::new(body).poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => self.queue_data(data).map_err(UploadError::Body)?,
                    Err(frame) => {
                        if let (Ok(trailers), Framing::Chunked) =
                            (frame.into_trailers(), self.framing)
                        {
                            self.body = None;
                            self.queue_end(Some(&trailers));
                        }
                    }
                },
                Some(Err(e)) => return Poll::Ready(Err(UploadError::Body(io::Error::other(e)))),
                None => {
                    self.body = None;
                    match self.framing {
                        Framing::Chunked => self.queue_end(None),
                        Framing::Length(n) if self.taken != n => {
                            return Poll::Ready(Err(UploadError::Body(invalid_body(
                                "shorter than its Content-Length",
                            ))));
                        }
                        Framing::Length(_) => {}
                    }
                }
            }
        }
    }

    fn wrote(&mut self, n: usize) -> io::Result<()> {
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        self.wrote_any = true;
        Ok(())
    }

    fn consume(&mut self, mut n: usize) {
        while n > 0 {
            let Some(front) = self.queued.front_mut() else {
                return;
            };
            if front.len() > n {
                front.advance(n);
                return;
            }
            n -= front.len();
            self.queued.pop_front();
        }
    }

    fn queue_data(&mut self, data: Bytes) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        self.taken += data.len() as u64;
        match self.framing {
            Framing::Length(n) if self.taken > n => {
                Err(invalid_body("longer than its Content-Length"))
            }
            Framing::Length(_) => {
                self.queued.push_back(data);
                Ok(())
            }
            Framing::Chunked => {
                let mut size = BytesMut::with_capacity(18);
                // Writing to a `BytesMut` cannot fail.
                let _ = write!(size, "{:x}\r\n", data.len());
                self.queued.push_back(size.freeze());
                self.queued.push_back(data);
                self.queued.push_back(Bytes::from_static(b"\r\n"));
                Ok(())
            }
        }
    }

    /// The last chunk, the trailers and the end of the chunked body.
    fn queue_end(&mut self, trailers: Option<&HeaderMap>) {
        let mut end = BytesMut::with_capacity(64);
        end.put_slice(b"0\r\n");
        for (name, value) in trailers.into_iter().flatten() {
            put_field(&mut end, name.as_str().as_bytes(), value.as_bytes());
        }
        end.put_slice(b"\r\n");
        self.queued.push_back(end.freeze());
    }
}

fn invalid_body(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("request body {what}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn head_of(request: HttpRequest) -> String {
        let outgoing = Outgoing::encode(request, &Authority::from_static("b:80"));
        String::from_utf8(outgoing.head.to_vec()).unwrap()
    }

    fn request(method: Method, body: Body) -> HttpRequest {
        let mut r = HttpRequest::new(body);
        *r.method_mut() = method;
        *r.uri_mut() = "/p?q=1".parse().unwrap();
        r
    }

    #[test]
    fn a_bodiless_get_is_its_request_line_and_fields() {
        let mut r = request(Method::GET, Body::empty());
        r.headers_mut().insert(HOST, "a.test".parse().unwrap());
        r.headers_mut().append("x-a", "1".parse().unwrap());
        r.headers_mut().append("x-a", "2".parse().unwrap());
        assert_eq!(
            head_of(r),
            "GET /p?q=1 HTTP/1.1\r\nhost: a.test\r\nx-a: 1\r\nx-a: 2\r\n\r\n"
        );
    }

    #[test]
    fn host_falls_back_to_the_server() {
        assert_eq!(
            head_of(request(Method::GET, Body::empty())),
            "GET /p?q=1 HTTP/1.1\r\nhost: b:80\r\n\r\n"
        );
    }

    #[test]
    fn bodies_are_framed_by_length_when_known_else_chunked() {
        let known = head_of(request(Method::POST, Body::from("abc")));
        assert!(known.ends_with("content-length: 3\r\n\r\n"), "{known}");
        let stream = futures_stream_body();
        let chunked = head_of(request(Method::POST, stream));
        assert!(
            chunked.ends_with("transfer-encoding: chunked\r\n\r\n"),
            "{chunked}"
        );
        let empty_post = head_of(request(Method::POST, Body::empty()));
        assert!(
            empty_post.ends_with("content-length: 0\r\n\r\n"),
            "{empty_post}"
        );
        let get = head_of(request(Method::GET, Body::empty()));
        assert!(!get.contains("content-length"), "{get}");
    }

    #[test]
    fn a_stale_content_length_is_replaced_by_the_body_size() {
        let mut r = request(Method::PUT, Body::from("abcd"));
        r.headers_mut()
            .insert(CONTENT_LENGTH, "99".parse().unwrap());
        let head = head_of(r);
        assert!(head.contains("content-length: 4\r\n"), "{head}");
        assert!(!head.contains("99"), "{head}");
    }

    #[test]
    fn only_idempotent_bodiless_requests_replay() {
        let of = |m, b| Outgoing::encode(request(m, b), &Authority::from_static("b")).replayable;
        assert!(of(Method::GET, Body::empty()));
        assert!(of(Method::DELETE, Body::empty()));
        assert!(!of(Method::POST, Body::empty()));
        assert!(!of(Method::PUT, Body::from("x")));
    }

    /// A body of unknown length.
    fn futures_stream_body() -> Body {
        struct Unknown;
        impl http_body::Body for Unknown {
            type Data = Bytes;
            type Error = io::Error;
            fn poll_frame(
                self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
                Poll::Ready(None)
            }
        }
        Body::new(Unknown)
    }
}
