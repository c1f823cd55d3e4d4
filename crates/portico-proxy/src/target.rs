//! One backend server, parsed once from its URL.

use std::sync::Arc;

use http::uri::{Authority, PathAndQuery, Scheme, Uri};

use crate::transport::ServerKey;

/// How Portico talks to a backend, from the scheme of its URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UpstreamProtocol {
    /// `http://`: HTTP/1.1 over TCP.
    Http1,
    /// `h2c://`: cleartext HTTP/2 with prior knowledge.
    H2c,
    /// `https://`: TLS, HTTP/2 or HTTP/1.1 negotiated by ALPN.
    Https,
}

/// A backend server: where requests go, parsed once when the configuration is built.
///
/// # Example
///
/// ```
/// use portico_proxy::{Target, UpstreamProtocol};
///
/// let t = Target::parse("http://127.0.0.1:8080").unwrap();
/// assert_eq!(t.authority().as_str(), "127.0.0.1:8080");
/// assert_eq!(t.protocol(), UpstreamProtocol::Http1);
/// assert!(Target::parse("ftp://x").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    url: Arc<str>,
    protocol: UpstreamProtocol,
    /// The `host:port`, hashed once: it is also the key of the HTTP/1.1 pool.
    authority: ServerKey,
    base_path: Option<Arc<str>>,
    preserve_path: bool,
}

/// A server URL that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The URL does not parse.
    #[error("invalid server url {url:?}: {reason}")]
    Invalid {
        /// The URL as written.
        url: String,
        /// Why, lower case.
        reason: String,
    },
    /// The scheme is not one Portico speaks to backends.
    #[error("unsupported scheme {scheme:?} in server url {url:?} (use http, https or h2c)")]
    UnsupportedScheme {
        /// The URL as written.
        url: String,
        /// The scheme found.
        scheme: String,
    },
}

// === impl Target ===

impl Target {
    /// Parses a server URL (`http://host:port`, `https://...`, `h2c://...`; a missing
    /// port means the scheme's default).
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let invalid = |reason: &str| TargetError::Invalid {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let uri: Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?;
        let scheme = uri.scheme_str().ok_or_else(|| invalid("missing scheme"))?;
        let (protocol, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "http" => (UpstreamProtocol::Http1, 80),
            "h2c" => (UpstreamProtocol::H2c, 80),
            "https" => (UpstreamProtocol::Https, 443),
            _ => {
                return Err(TargetError::UnsupportedScheme {
                    url: url.to_owned(),
                    scheme: scheme.to_owned(),
                });
            }
        };
        let authority = uri.authority().ok_or_else(|| invalid("missing host"))?;
        if authority.host().is_empty() {
            return Err(invalid("missing host"));
        }
        if authority.as_str().contains('@') {
            return Err(invalid("user information is not allowed"));
        }
        let has_port = authority
            .as_str()
            .rsplit_once(']')
            .map_or(authority.as_str(), |(_, rest)| rest)
            .contains(':');
        let authority = match authority.port_u16() {
            Some(0) => return Err(invalid("port 0")),
            Some(_) => authority.clone(),
            None if has_port => return Err(invalid("port out of range")),
            None => format!("{}:{default_port}", authority.host())
                .parse()
                .map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?,
        };
        let base_path = match uri.path() {
            "" | "/" => None,
            path => Some(Arc::from(path.trim_end_matches('/'))),
        };
        Ok(Target {
            url: Arc::from(url),
            protocol,
            authority: ServerKey::new(authority),
            base_path,
            preserve_path: false,
        })
    }

    /// Whether request paths are prefixed with the path of the server URL
    /// (`preservePath`; off by default, the URL's path is then ignored).
    pub fn with_preserve_path(mut self, preserve: bool) -> Target {
        self.preserve_path = preserve;
        self
    }

    /// The URL as configured.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How to talk to this server.
    pub fn protocol(&self) -> UpstreamProtocol {
        self.protocol
    }

    /// `host:port` of the server (the port is always explicit).
    pub fn authority(&self) -> &Authority {
        self.authority.authority()
    }

    /// The key of this server's idle connections in the HTTP/1.1 pool.
    pub(crate) fn pool_key(&self) -> &ServerKey {
        &self.authority
    }

    /// The path of the server URL, used as a prefix when `preservePath` is on.
    pub fn base_path(&self) -> Option<&str> {
        self.base_path.as_deref()
    }

    /// The URI to send a request for `path_and_query` to this server; `authority`
    /// replaces the server's (the client's host, for HTTP/2's `:authority`).
    pub(crate) fn request_uri(
        &self,
        authority: Option<Authority>,
        path_and_query: Option<&PathAndQuery>,
    ) -> Result<Uri, http::Error> {
        let scheme = match self.protocol {
            UpstreamProtocol::Https => Scheme::HTTPS,
            UpstreamProtocol::Http1 | UpstreamProtocol::H2c => Scheme::HTTP,
        };
        let mut builder = Uri::builder()
            .scheme(scheme)
            .authority(authority.unwrap_or_else(|| self.authority().clone()));
        builder = match (self.preserve_path, &self.base_path, path_and_query) {
            (true, Some(base), Some(pq)) => {
                builder.path_and_query(format!("{base}{}", pq.as_str()))
            }
            (true, Some(base), None) => builder.path_and_query(format!("{base}/")),
            (_, _, Some(pq)) => builder.path_and_query(pq.clone()),
            (_, _, None) => builder.path_and_query("/"),
        };
        builder.build()
    }
}

// (origin-form URIs for connections that are already to the server)
impl Target {
    /// The origin-form request target (`/path?query`, prefixed by the server's
    /// path when it is preserved), for a connection already made to the server.
    pub(crate) fn origin_uri(
        &self,
        path_and_query: Option<&PathAndQuery>,
    ) -> Result<Uri, http::Error> {
        let path_and_query = match (self.preserve_path, &self.base_path, path_and_query) {
            (true, Some(base), Some(pq)) => {
                PathAndQuery::try_from(format!("{base}{}", pq.as_str()))?
            }
            (true, Some(base), None) => PathAndQuery::try_from(format!("{base}/"))?,
            (_, _, Some(pq)) => pq.clone(),
            (_, _, None) => PathAndQuery::from_static("/"),
        };
        Ok(Uri::from(path_and_query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_are_made_explicit() {
        assert_eq!(
            Target::parse("http://a.example").unwrap().authority(),
            "a.example:80"
        );
        assert_eq!(
            Target::parse("https://a.example").unwrap().authority(),
            "a.example:443"
        );
        assert_eq!(
            Target::parse("h2c://a:81").unwrap().protocol(),
            UpstreamProtocol::H2c
        );
        assert_eq!(
            Target::parse("HTTP://[::1]:81").unwrap().authority(),
            "[::1]:81"
        );
    }

    #[test]
    fn bad_urls_are_refused_with_the_url() {
        for url in [
            "",
            "127.0.0.1:80",
            "http://",
            "ftp://a",
            "http://u:p@a",
            "http://a:99999",
            "http://a:0",
            "http://a:",
        ] {
            let err = Target::parse(url).unwrap_err();
            assert!(err.to_string().contains(&format!("{url:?}")), "{err}");
        }
    }

    #[test]
    fn preserve_path_prefixes_the_server_path() {
        let t = Target::parse("http://a:1/base/").unwrap();
        let pq: PathAndQuery = "/x?y=1".parse().unwrap();
        assert_eq!(t.request_uri(None, Some(&pq)).unwrap(), "http://a:1/x?y=1");
        let t = t.with_preserve_path(true);
        assert_eq!(
            t.request_uri(None, Some(&pq)).unwrap(),
            "http://a:1/base/x?y=1"
        );
    }
}
