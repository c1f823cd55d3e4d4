//! HTTP/1.x over a raw socket: the exact request bytes go out, responses are
//! parsed by hand.
//!
//! Higher-level clients normalise what they send (header case, the request target,
//! an empty `Host`); these tests need the bytes as written, a chosen source address
//! (`ClientIP` rules), pipelined requests and requests left half-sent.
//!
//! # Example
//!
//! ```no_run
//! # async fn run(addr: std::net::SocketAddr) -> std::io::Result<()> {
//! use portico_e2e::wire::{Conn, request};
//!
//! let mut conn = Conn::open(addr).await?;
//! conn.send(&request("GET", "/", Some("example.com"), &[])).await?;
//! let response = conn.response().await?;
//! assert_eq!(response.status, 200);
//! # Ok(()) }
//! ```

use std::{
    io,
    net::{IpAddr, SocketAddr},
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

/// One response as read off the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawResponse {
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// Header field lines in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

/// A client connection.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// Builds an HTTP/1.1 request: the request line, `Host` (when given, possibly
/// empty), then `headers` in order and an empty body.
pub fn request(
    method: &str,
    target: &str,
    host: Option<&str>,
    headers: &[(&str, &str)],
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\n");
    if let Some(host) = host {
        out.push_str(&format!("Host: {host}\r\n"));
    }
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// Opens a connection, sends `bytes` and reads one response.
pub async fn exchange(addr: SocketAddr, bytes: &[u8]) -> io::Result<RawResponse> {
    let mut conn = Conn::open(addr).await?;
    conn.send(bytes).await?;
    conn.response().await
}

// === impl RawResponse ===

impl RawResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

// === impl Conn ===

impl Conn {
    /// Connects to `addr`.
    pub async fn open(addr: SocketAddr) -> io::Result<Conn> {
        Ok(Conn::from_stream(TcpStream::connect(addr).await?))
    }

    /// Connects to `addr` from `source` (any free port), e.g. `127.0.0.2` to look
    /// like another client.
    pub async fn open_from(addr: SocketAddr, source: IpAddr) -> io::Result<Conn> {
        let socket = match source {
            IpAddr::V4(_) => TcpSocket::new_v4()?,
            IpAddr::V6(_) => TcpSocket::new_v6()?,
        };
        socket.bind(SocketAddr::new(source, 0))?;
        Ok(Conn::from_stream(socket.connect(addr).await?))
    }

    /// Wraps a connected stream.
    pub fn from_stream(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// This side's address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.stream.local_addr()
    }

    /// Writes `bytes`.
    pub async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    /// Reads one response (skipping `100 Continue`). Bodies are framed by
    /// `Content-Length`, chunked encoding, or the end of the connection.
    pub async fn response(&mut self) -> io::Result<RawResponse> {
        loop {
            let response = self.read_one().await?;
            if response.status != 100 {
                return Ok(response);
            }
        }
    }

    /// Reads until the peer closes the connection (or resets it); returns the
    /// bytes read and when the end was seen.
    pub async fn read_to_close(&mut self) -> (Vec<u8>, Instant) {
        let mut out = std::mem::take(&mut self.buf);
        let mut chunk = [0u8; 8192];
        loop {
            match self.stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return (out, Instant::now()),
                Ok(n) => out.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Whether the peer closes the connection within `limit` (reading and
    /// dropping whatever arrives meanwhile).
    pub async fn closes_within(&mut self, limit: Duration) -> bool {
        tokio::time::timeout(limit, self.read_to_close())
            .await
            .is_ok()
    }

    async fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16384];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    async fn read_one(&mut self) -> io::Result<RawResponse> {
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            if self.fill().await? == 0 {
                return Err(invalid(format!(
                    "connection closed before a response head; got {:?}",
                    String::from_utf8_lossy(&self.buf)
                )));
            }
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        self.buf.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default().to_owned();
        let status = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid(format!("bad status line {status_line:?}")))?;
        let reason = parts.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let mut response = RawResponse {
            version,
            status,
            reason,
            headers,
            body: Vec::new(),
        };
        if status < 200 || status == 204 || status == 304 {
            return Ok(response);
        }
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
        let length = response
            .header("content-length")
            .and_then(|l| l.parse::<usize>().ok());
        response.body = if chunked {
            self.read_chunked().await?
        } else if let Some(length) = length {
            self.read_exact_body(length).await?
        } else {
            self.read_to_close().await.0
        };
        Ok(response)
    }

    async fn read_exact_body(&mut self, length: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < length {
            if self.fill().await? == 0 {
                return Err(invalid(format!(
                    "connection closed after {} of {length} body bytes",
                    self.buf.len()
                )));
            }
        }
        Ok(self.buf.drain(..length).collect())
    }

    async fn read_line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = find(&self.buf, b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                self.buf.drain(..i + 2);
                return Ok(line);
            }
            if self.fill().await? == 0 {
                return Err(invalid(
                    "connection closed inside a chunked body".to_owned(),
                ));
            }
        }
    }

    async fn read_chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line().await?;
            let size = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| invalid(format!("bad chunk size line {line:?}")))?;
            if size == 0 {
                // Trailers, then the empty line.
                while !self.read_line().await?.is_empty() {}
                return Ok(body);
            }
            body.extend(self.read_exact_body(size).await?);
            self.read_line().await?;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
