//! gRPC-Web bodies: base64 decoding of `-text` requests, and responses with the
//! gRPC trailers moved into the body as a trailer frame.

use std::{
    pin::Pin,
    task::{Context, Poll, ready},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use bytes::{BufMut, Bytes, BytesMut};
use http::HeaderMap;
use http_body::{Body as HttpBody, Frame};
use pin_project_lite::pin_project;
use portico_core::{Body, BoxError};

/// The flag of a gRPC-Web trailer frame.
const TRAILER_FLAG: u8 = 0x80;

/// A request body sent as base64 text was not base64.
#[derive(Debug, thiserror::Error)]
#[error("invalid base64 in a grpc-web-text request body")]
pub(super) struct InvalidBase64;

pin_project! {
    /// Decodes a base64 (`application/grpc-web-text`) request body as it streams.
    /// Padded segments may follow each other.
    pub(super) struct DecodeText {
        #[pin]
        inner: Body,
        pending: Vec<u8>,
        done: bool,
    }
}

impl DecodeText {
    pub(super) fn new(inner: Body) -> Self {
        DecodeText {
            inner,
            pending: Vec::new(),
            done: false,
        }
    }
}

/// Decodes whole 4-character quanta of `input`; each padded quantum on its own.
fn decode_quanta(input: &[u8]) -> Result<Bytes, InvalidBase64> {
    let mut out = BytesMut::with_capacity(input.len() / 4 * 3);
    let mut start = 0;
    for (i, quantum) in input.chunks_exact(4).enumerate() {
        if quantum.contains(&b'=') {
            let end = i * 4;
            if end > start {
                out.put(
                    STANDARD
                        .decode(&input[start..end])
                        .map_err(|_| InvalidBase64)?
                        .as_slice(),
                );
            }
            out.put(
                STANDARD
                    .decode(quantum)
                    .map_err(|_| InvalidBase64)?
                    .as_slice(),
            );
            start = end + 4;
        }
    }
    let end = input.len() - input.len() % 4;
    if end > start {
        out.put(
            STANDARD
                .decode(&input[start..end])
                .map_err(|_| InvalidBase64)?
                .as_slice(),
        );
    }
    Ok(out.freeze())
}

impl HttpBody for DecodeText {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut this = self.project();
        loop {
            if *this.done {
                return Poll::Ready(None);
            }
            match ready!(this.inner.as_mut().poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => {
                        this.pending
                            .extend(data.iter().filter(|b| !matches!(b, b'\r' | b'\n')));
                        let whole = this.pending.len() - this.pending.len() % 4;
                        if whole == 0 {
                            continue;
                        }
                        let decoded = decode_quanta(&this.pending[..whole]);
                        this.pending.drain(..whole);
                        match decoded {
                            Ok(bytes) if bytes.is_empty() => continue,
                            Ok(bytes) => return Poll::Ready(Some(Ok(Frame::data(bytes)))),
                            Err(e) => return Poll::Ready(Some(Err(e.into()))),
                        }
                    }
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                Some(Err(e)) => return Poll::Ready(Some(Err(e.into()))),
                None => {
                    *this.done = true;
                    if !this.pending.is_empty() {
                        return Poll::Ready(Some(Err(InvalidBase64.into())));
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

/// The body of a gRPC-Web trailer frame: `name: value\r\n` lines, names in lower
/// case, sorted by name.
pub(super) fn trailer_frame(trailers: &HeaderMap) -> Bytes {
    let mut lines: Vec<(String, &[u8])> = trailers
        .iter()
        .map(|(n, v)| (n.as_str().to_ascii_lowercase(), v.as_bytes()))
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let mut payload = BytesMut::new();
    for (name, value) in lines {
        payload.put(name.as_bytes());
        payload.put(&b": "[..]);
        payload.put(value);
        payload.put(&b"\r\n"[..]);
    }
    let mut frame = BytesMut::with_capacity(5 + payload.len());
    frame.put_u8(TRAILER_FLAG);
    frame.put_u32(u32::try_from(payload.len()).unwrap_or(u32::MAX));
    frame.put(payload);
    frame.freeze()
}

pin_project! {
    /// A gRPC response body as gRPC-Web: data as it comes (base64 in text mode),
    /// then the trailers as a trailer frame.
    pub(super) struct EncodeWeb {
        #[pin]
        inner: Body,
        text: bool,
        finished: bool,
    }
}

impl EncodeWeb {
    pub(super) fn new(inner: Body, text: bool) -> Self {
        EncodeWeb {
            inner,
            text,
            finished: false,
        }
    }
}

fn encoded(data: Bytes, text: bool) -> Bytes {
    if text {
        Bytes::from(STANDARD.encode(&data))
    } else {
        data
    }
}

impl HttpBody for EncodeWeb {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut this = self.project();
        loop {
            if *this.finished {
                return Poll::Ready(None);
            }
            match ready!(this.inner.as_mut().poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) if data.is_empty() => continue,
                    Ok(data) => {
                        return Poll::Ready(Some(Ok(Frame::data(encoded(data, *this.text)))));
                    }
                    Err(frame) => {
                        let trailers = frame.into_trailers().unwrap_or_default();
                        *this.finished = true;
                        let frame = encoded(trailer_frame(&trailers), *this.text);
                        return Poll::Ready(Some(Ok(Frame::data(frame))));
                    }
                },
                Some(Err(e)) => return Poll::Ready(Some(Err(e.into()))),
                None => {
                    *this.finished = true;
                    let frame = encoded(trailer_frame(&HeaderMap::new()), *this.text);
                    return Poll::Ready(Some(Ok(Frame::data(frame))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quanta_decode_with_inner_padding() {
        assert_eq!(decode_quanta(b"QUJD").unwrap(), "ABC");
        assert_eq!(decode_quanta(b"QQ==QkM=").unwrap(), "ABC");
        assert!(decode_quanta(b"Q!==").is_err());
    }

    #[test]
    fn trailer_frames_are_sorted_lower_case_lines() {
        let mut t = HeaderMap::new();
        t.insert("grpc-status", "0".parse().unwrap());
        t.insert("grpc-message", "ok".parse().unwrap());
        let frame = trailer_frame(&t);
        assert_eq!(frame[0], 0x80);
        let payload = b"grpc-message: ok\r\ngrpc-status: 0\r\n";
        assert_eq!(&frame[1..5], (payload.len() as u32).to_be_bytes());
        assert_eq!(&frame[5..], payload);
    }
}
