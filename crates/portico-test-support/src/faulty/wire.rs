//! A small HTTP/1.1 server side by hand, so that a fault can act on the
//! connection itself (hang, reset, close between two requests).

use std::io;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Request heads longer than this are refused.
const MAX_HEAD: usize = 64 * 1024;

/// A parsed request head.
#[derive(Debug)]
pub(super) struct Head {
    pub(super) method: String,
    /// Path and query, as sent.
    pub(super) target: String,
    pub(super) headers: HeaderMap,
    /// The request asked to close the connection after this exchange
    /// (`Connection: close`, or HTTP/1.0 without keep-alive).
    pub(super) close: bool,
    body: BodyLength,
    expect_continue: bool,
}

#[derive(Debug, PartialEq)]
enum BodyLength {
    Fixed(u64),
    Chunked,
}

/// A connection's read side: the stream and what was read ahead.
#[derive(Debug)]
pub(super) struct Conn {
    pub(super) stream: TcpStream,
    buf: Vec<u8>,
}

// === impl Head ===

impl Head {
    /// The path without its query.
    pub(super) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    fn parse(request: &httparse::Request<'_, '_>) -> io::Result<Head> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
        let mut headers = HeaderMap::new();
        for header in request.headers.iter() {
            let name = HeaderName::from_bytes(header.name.as_bytes())
                .map_err(|_| invalid("bad header name"))?;
            let value =
                HeaderValue::from_bytes(header.value).map_err(|_| invalid("bad header value"))?;
            headers.append(name, value);
        }
        let has_token = |name: http::HeaderName, token: &str| {
            headers.get_all(name).iter().any(|v| {
                v.to_str()
                    .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
            })
        };
        let http10 = request.version == Some(0);
        let close = has_token(http::header::CONNECTION, "close")
            || (http10 && !has_token(http::header::CONNECTION, "keep-alive"));
        let body = if has_token(http::header::TRANSFER_ENCODING, "chunked") {
            BodyLength::Chunked
        } else {
            let length = headers
                .get(http::header::CONTENT_LENGTH)
                .map(|v| {
                    v.to_str()
                        .ok()
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .ok_or_else(|| invalid("bad content-length"))
                })
                .transpose()?;
            BodyLength::Fixed(length.unwrap_or(0))
        };
        let expect_continue = has_token(http::header::EXPECT, "100-continue");
        Ok(Head {
            method: request.method.unwrap_or_default().to_owned(),
            target: request.path.unwrap_or_default().to_owned(),
            headers,
            close,
            body,
            expect_continue,
        })
    }
}

// === impl Conn ===

impl Conn {
    pub(super) fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Reads more bytes into the buffer; `Ok(0)` at end of stream.
    async fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// The next request head; `Ok(None)` when the peer closed the connection.
    pub(super) async fn read_head(&mut self) -> io::Result<Option<Head>> {
        loop {
            if !self.buf.is_empty() {
                let mut headers = [httparse::EMPTY_HEADER; 64];
                let mut request = httparse::Request::new(&mut headers);
                match request.parse(&self.buf) {
                    Ok(httparse::Status::Complete(len)) => {
                        let head = Head::parse(&request)?;
                        self.buf.drain(..len);
                        return Ok(Some(head));
                    }
                    Ok(httparse::Status::Partial) => {}
                    Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
                }
            }
            if self.buf.len() > MAX_HEAD {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "request head too long",
                ));
            }
            if self.fill().await? == 0 {
                return Ok(None);
            }
        }
    }

    /// Reads and discards the body of the request `head` introduced.
    pub(super) async fn skip_body(&mut self, head: &Head) -> io::Result<()> {
        if head.expect_continue {
            self.stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await?;
        }
        match head.body {
            BodyLength::Fixed(length) => self.skip(length).await,
            BodyLength::Chunked => loop {
                let line = self.line().await?;
                let size = line.split(';').next().unwrap_or_default().trim();
                let size = u64::from_str_radix(size, 16)
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
                if size == 0 {
                    // Trailers, up to an empty line.
                    while !self.line().await?.is_empty() {}
                    return Ok(());
                }
                self.skip(size + 2).await?;
            },
        }
    }

    async fn skip(&mut self, mut length: u64) -> io::Result<()> {
        loop {
            let buffered = (self.buf.len() as u64).min(length);
            self.buf
                .drain(..usize::try_from(buffered).unwrap_or(usize::MAX));
            length -= buffered;
            if length == 0 {
                return Ok(());
            }
            if self.fill().await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// One CRLF-terminated line, without its CRLF.
    async fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                self.buf.drain(..end + 2);
                return Ok(line);
            }
            if self.buf.len() > MAX_HEAD {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
            }
            if self.fill().await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Writes a complete response with a text body (none for `HEAD`).
    pub(super) async fn respond(
        &mut self,
        head: &Head,
        status: StatusCode,
        headers: &[(&str, &str)],
        body: &str,
    ) -> io::Result<()> {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Unknown"),
            body.len()
        );
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        if head.close {
            out.push_str("connection: close\r\n");
        }
        out.push_str("\r\n");
        if head.method != "HEAD" {
            out.push_str(body);
        }
        self.stream.write_all(out.as_bytes()).await?;
        self.stream.flush().await
    }
}
