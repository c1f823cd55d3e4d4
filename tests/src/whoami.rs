//! What a whoami backend saw, read back from its text dump.
//!
//! The dump (`GET /` and any unlisted path) is a few `Key: value` lines ending in
//! `\n` (`Name`, `Hostname`, `IP`, `RemoteAddr`), then the request as received:
//! request line, `Host`, the other headers (`\r\n`-terminated), an empty line and
//! the body.
//!
//! # Example
//!
//! ```
//! use portico_e2e::whoami::Seen;
//!
//! let dump = "Name: a\nHostname: h\nRemoteAddr: 127.0.0.1:5000\nGET /x?y=1 HTTP/1.1\r\nHost: example.com\r\nX-Real-Ip: 127.0.0.1\r\n\r\n";
//! let seen = Seen::parse(dump).unwrap();
//! assert_eq!(seen.target, "/x?y=1");
//! assert_eq!(seen.header("x-real-ip"), Some("127.0.0.1"));
//! assert_eq!(seen.name.as_deref(), Some("a"));
//! ```

/// The request a whoami backend received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// `Name:` (the backend's name), if it has one.
    pub name: Option<String>,
    /// `Hostname:`, the backend machine's name.
    pub hostname: Option<String>,
    /// `RemoteAddr:`, the proxy's side of the backend connection.
    pub remote_addr: Option<String>,
    /// The request method.
    pub method: String,
    /// The request target (path and query) exactly as received.
    pub target: String,
    /// The version, as `HTTP/1.1` or `HTTP/2.0`.
    pub version: String,
    /// Every header line in order (`Host` first), names canonicalised by whoami.
    pub headers: Vec<(String, String)>,
    /// The request body (lossy text).
    pub body: String,
}

// === impl Seen ===

impl Seen {
    /// Parses a dump; `None` when `text` is not one.
    pub fn parse(text: &str) -> Option<Seen> {
        let first_crlf = text.find("\r\n")?;
        let (preamble, rest) = text.split_at(first_crlf);
        let mut seen = Seen::default();
        let mut preamble_lines: Vec<&str> = preamble.split('\n').collect();
        let request_line = preamble_lines.pop()?;
        for line in preamble_lines {
            if let Some(name) = line.strip_prefix("Name: ") {
                seen.name = Some(name.to_owned());
            } else if let Some(host) = line.strip_prefix("Hostname: ") {
                seen.hostname = Some(host.to_owned());
            } else if let Some(addr) = line.strip_prefix("RemoteAddr: ") {
                seen.remote_addr = Some(addr.to_owned());
            }
        }
        let mut parts = request_line.splitn(3, ' ');
        seen.method = parts.next()?.to_owned();
        seen.target = parts.next()?.to_owned();
        seen.version = parts.next()?.to_owned();
        let mut rest = &rest[2..];
        loop {
            let end = rest.find("\r\n")?;
            let line = &rest[..end];
            rest = &rest[end + 2..];
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(": ").unwrap_or((line, ""));
            seen.headers.push((name.to_owned(), value.to_owned()));
        }
        seen.body = rest.to_owned();
        Some(seen)
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (case-insensitive), one per field line.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query part of the target (after `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }
}
