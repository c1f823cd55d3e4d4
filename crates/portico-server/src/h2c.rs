//! Cleartext HTTP/2 by upgrade (`Upgrade: h2c`, RFC 7540 §3.2).
//!
//! hyper serves HTTP/2 with prior knowledge by itself; the upgrade dance it does not
//! do. Portico answers `101 Switching Protocols` and then serves HTTP/2 on the same
//! connection, where the upgrade request itself is stream 1. hyper's HTTP/2 server
//! only knows requests that arrive as frames, so after the client's connection
//! preface and first `SETTINGS` frame, the upgrade request is re-encoded as the
//! `HEADERS` frame for stream 1 the client would have sent, and the server reads
//! preface, `SETTINGS`, `HEADERS`, then the rest of the socket.
//!
//! The `HTTP2-Settings` header is checked but not replayed as a frame of its own:
//! hyper would acknowledge it, and clients (nghttp2, so curl) treat that second
//! acknowledgement as a protocol error. Their first `SETTINGS` frame carries the
//! same values. Requests with a body are served over HTTP/1.1 instead (a server may
//! always decline an upgrade).

use std::{
    convert::Infallible,
    io,
    pin::Pin,
    task::{Context, Poll},
};

use base64::Engine as _;
use bytes::{Buf, Bytes};
use http::{
    HeaderValue, Request, Response, StatusCode, Version,
    header::{CONNECTION, HOST, UPGRADE},
};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use portico_core::{Body, Drain, HttpRequest, HttpResponse};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tower::Service;
use tracing::debug;

use crate::conn::ConnService;

const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const HTTP2_SETTINGS: &str = "http2-settings";
const MAX_FRAME: usize = 16_384;
const MAX_HEADER_BLOCK: usize = 64 * 1024;

fn has_token<B>(request: &Request<B>, name: http::HeaderName, token: &str) -> bool {
    request
        .headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// Whether the request asks to switch to cleartext HTTP/2.
pub(crate) fn is_upgrade_request<B>(request: &Request<B>) -> bool {
    request.version() == Version::HTTP_11
        && request.headers().contains_key(HTTP2_SETTINGS)
        && has_token(request, UPGRADE, "h2c")
        && has_token(request, CONNECTION, "upgrade")
}

/// Whether a `101` response is Portico's own switch to h2c (which keeps timeouts).
pub(crate) fn is_h2c_switch(response: &HttpResponse) -> bool {
    response
        .headers()
        .get(UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"h2c"))
}

/// Answers `101` and serves HTTP/2 on the connection, or gives the request back
/// when it cannot be upgraded (it is then served over HTTP/1.1).
pub(crate) fn upgrade<S>(
    mut request: Request<Incoming>,
    service: ConnService<S>,
    drain: &Drain,
) -> Result<HttpResponse, Box<Request<Incoming>>>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    let Some(replay) = replay_frames(&request) else {
        return Err(Box::new(request));
    };
    let on_upgrade = hyper::upgrade::on(&mut request);
    let stop = drain.clone();
    drain.spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(error) => {
                debug!(%error, "h2c upgrade did not complete");
                return;
            }
        };
        let mut io = TokioIo::new(upgraded);
        let prefix = match read_client_preface(&mut io).await {
            Ok(mut prefix) => {
                prefix.extend_from_slice(&replay);
                Bytes::from(prefix)
            }
            Err(error) => {
                debug!(%error, "h2c client did not start HTTP/2");
                return;
            }
        };
        let io = Rewind { prefix, inner: io };
        let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
        builder.timer(TokioTimer::new()).max_concurrent_streams(250);
        let connection =
            builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        tokio::pin!(connection);
        let result = tokio::select! {
            result = connection.as_mut() => result,
            // The entrypoint's grace period is over: close the connection.
            () = stop.stopped() => Ok(()),
        };
        if let Err(error) = result {
            debug!(%error, "h2c connection ended with an error");
        }
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    response
        .headers_mut()
        .insert(UPGRADE, HeaderValue::from_static("h2c"));
    Ok(response)
}

/// Reads the client's connection preface and its first frame, which must be
/// `SETTINGS`, and returns their bytes.
async fn read_client_preface<T: AsyncRead + Unpin>(io: &mut T) -> io::Result<Vec<u8>> {
    let invalid = |what| io::Error::new(io::ErrorKind::InvalidData, what);
    let mut head = [0u8; 24 + 9];
    io.read_exact(&mut head).await?;
    if &head[..24] != PREFACE {
        return Err(invalid("invalid connection preface"));
    }
    let frame = &head[24..];
    let len = usize::from(frame[0]) << 16 | usize::from(frame[1]) << 8 | usize::from(frame[2]);
    if frame[3] != 0x4 || len > MAX_FRAME || len % 6 != 0 {
        return Err(invalid("first frame is not a valid SETTINGS frame"));
    }
    let mut out = head.to_vec();
    out.resize(head.len() + len, 0);
    io.read_exact(&mut out[head.len()..]).await?;
    Ok(out)
}

/// The `HEADERS` (and `CONTINUATION`) frames of stream 1: the upgrade request as
/// the client would have sent it over HTTP/2. `None` when the request cannot be
/// upgraded (a malformed `HTTP2-Settings`, no authority, a huge head).
fn replay_frames<B>(request: &Request<B>) -> Option<Bytes> {
    let settings = request.headers().get(HTTP2_SETTINGS)?.to_str().ok()?;
    let settings = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(settings.trim().trim_end_matches('='))
        .ok()?;
    if settings.len() % 6 != 0 {
        return None;
    }
    let authority = request
        .headers()
        .get(HOST)
        .map(HeaderValue::as_bytes)
        .or_else(|| request.uri().authority().map(|a| a.as_str().as_bytes()))?;
    let path = request.uri().path_and_query().map_or("/", |pq| pq.as_str());

    let mut block = Vec::with_capacity(256);
    encode_header(&mut block, b":method", request.method().as_str().as_bytes());
    encode_header(&mut block, b":scheme", b"http");
    encode_header(&mut block, b":path", path.as_bytes());
    encode_header(&mut block, b":authority", authority);
    for (name, value) in request.headers() {
        let connection_specific = matches!(
            name.as_str(),
            "host"
                | "connection"
                | "upgrade"
                | "http2-settings"
                | "keep-alive"
                | "proxy-connection"
                | "transfer-encoding"
                | "te"
        );
        if !connection_specific {
            encode_header(&mut block, name.as_str().as_bytes(), value.as_bytes());
        }
    }
    if block.len() > MAX_HEADER_BLOCK {
        return None;
    }

    let mut out = Vec::with_capacity(9 + block.len() + 32);
    // HEADERS (END_STREAM) for stream 1, then CONTINUATION frames; END_HEADERS last.
    let mut chunks = block.chunks(MAX_FRAME).peekable();
    let mut first = true;
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let (kind, mut flags) = if first { (0x1, 0x1) } else { (0x9, 0x0) };
        if last {
            flags |= 0x4;
        }
        frame_header(&mut out, chunk.len(), kind, flags, 1);
        out.extend_from_slice(chunk);
        first = false;
    }
    Some(Bytes::from(out))
}

fn frame_header(out: &mut Vec<u8>, len: usize, kind: u8, flags: u8, stream: u32) {
    let len = u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes();
    out.extend_from_slice(&len[1..]);
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
}

/// HPACK "literal header field without indexing, new name", no Huffman coding.
fn encode_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.push(0x00);
    encode_length(out, name.len());
    out.extend_from_slice(name);
    encode_length(out, value.len());
    out.extend_from_slice(value);
}

/// An HPACK string length: 7-bit prefix integer, Huffman bit clear.
fn encode_length(out: &mut Vec<u8>, mut n: usize) {
    if n < 127 {
        out.push(n as u8);
        return;
    }
    out.push(127);
    n -= 127;
    while n >= 128 {
        out.push((n % 128) as u8 | 0x80);
        n /= 128;
    }
    out.push(n as u8);
}

/// An I/O stream that first yields `prefix`, then the inner stream's bytes.
struct Rewind<T> {
    prefix: Bytes,
    inner: T,
}

impl<T: AsyncRead + Unpin> AsyncRead for Rewind<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.prefix.has_remaining() {
            let n = this.prefix.len().min(buf.remaining());
            buf.put_slice(&this.prefix[..n]);
            this.prefix.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Rewind<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn client_preface_and_settings_are_read_whole() {
        let mut bytes = PREFACE.to_vec();
        bytes.extend_from_slice(&[0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]);
        bytes.extend_from_slice(b"next frame");
        let mut io = std::io::Cursor::new(bytes.clone());
        let read = read_client_preface(&mut io).await.unwrap();
        assert_eq!(read, bytes[..24 + 9 + 6]);
        let mut bad = std::io::Cursor::new(b"GET / HTTP/1.1\r\n\r\n0123456789abcdef".to_vec());
        assert!(read_client_preface(&mut bad).await.is_err());
        let mut not_settings = PREFACE.to_vec();
        not_settings.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 1]);
        let mut io = std::io::Cursor::new(not_settings);
        assert!(read_client_preface(&mut io).await.is_err());
    }

    #[test]
    fn hpack_lengths() {
        let mut out = Vec::new();
        encode_length(&mut out, 10);
        assert_eq!(out, [10]);
        out.clear();
        encode_length(&mut out, 127);
        assert_eq!(out, [127, 0]);
        out.clear();
        encode_length(&mut out, 1337);
        // RFC 7541 C.1.2 uses a 5-bit prefix; with 7 bits: 1337-127=1210 -> 0xBA 0x09.
        assert_eq!(out, [127, 0xBA, 0x09]);
    }

    #[test]
    fn upgrade_request_detection_and_replay() {
        let request = Request::get("/x?y=1")
            .header("host", "a.example")
            .header("connection", "Upgrade, HTTP2-Settings")
            .header("upgrade", "h2c")
            .header("http2-settings", "AAMAAABkAAQCAAAAAAIAAAAA")
            .header("x-app", "1")
            .body(())
            .unwrap();
        assert!(is_upgrade_request(&request));
        let headers = replay_frames(&request).unwrap();
        // HEADERS, END_STREAM | END_HEADERS, stream 1.
        assert_eq!(&headers[3..9], &[1, 0x5, 0, 0, 0, 1]);
        let text = String::from_utf8_lossy(&headers);
        assert!(text.contains("/x?y=1") && text.contains("a.example") && text.contains("x-app"));
        assert!(!text.contains("http2-settings") && !text.contains("upgrade"));
    }

    #[test]
    fn bad_settings_decline_the_upgrade() {
        let request = Request::get("/")
            .header("host", "a")
            .header("connection", "Upgrade, HTTP2-Settings")
            .header("upgrade", "h2c")
            .header("http2-settings", "AAM")
            .body(())
            .unwrap();
        assert!(replay_frames(&request).is_none());
        let plain = Request::get("/").header("upgrade", "h2c").body(()).unwrap();
        assert!(!is_upgrade_request(&plain));
    }
}
