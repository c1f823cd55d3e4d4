//! The request attributes a rule looks at, and how the router derives them.
//!
//! [`RequestView`] is computed once per request and handed to
//! [`RouteSet::find`](crate::RouteSet::find). Its `host` comes from [`canonical_host`]
//! (Traefik's request decorator) and its `path` from [`routing_path`] (Traefik's muxer),
//! both of which borrow in the common case.

use std::borrow::Cow;
use std::net::IpAddr;

/// The request attributes a rule can look at, computed once per request.
///
/// # Example
///
/// ```
/// use portico_rules::{RequestView, canonical_host, routing_path};
///
/// let req = http::Request::get("/a%20b?x=1")
///     .header("host", "Example.COM:8443")
///     .body(())
///     .unwrap();
/// let (parts, ()) = req.into_parts();
/// let host = canonical_host(&parts);
/// let path = routing_path(parts.uri.path());
/// let view = RequestView {
///     method: &parts.method,
///     host: &host,
///     path: &path,
///     query: parts.uri.query(),
///     headers: &parts.headers,
///     client_ip: Some("192.0.2.7".parse().unwrap()),
/// };
/// assert_eq!(view.host, "example.com");
/// assert_eq!(view.path, "/a b");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RequestView<'a> {
    /// The request method.
    pub method: &'a http::Method,
    /// The canonical request host ([`canonical_host`]): port and brackets removed,
    /// trimmed, lower-cased; `""` when the request has none.
    pub host: &'a str,
    /// The routing path ([`routing_path`]).
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a http::HeaderMap,
    /// The peer address of the connection (after PROXY protocol), never a forwarded header.
    pub client_ip: Option<IpAddr>,
}

/// The canonical request host, as Traefik's request decorator computes it.
///
/// The source is the URI authority when present (absolute-form request target, HTTP/2
/// `:authority`; user info dropped), otherwise the `Host` header. Then, like Go's
/// `requestdecorator.parseHost` followed by `types.CanonicalDomain`: a value with a `:` is
/// split with `net.SplitHostPort` (a bare `[v6]` loses its brackets; a value that does not
/// split, such as an unbracketed IPv6 address, is kept), and the result is trimmed and
/// lower-cased. Returns `""` when there is no host. Borrows unless a change is needed.
///
/// # Example
///
/// ```
/// use portico_rules::canonical_host;
///
/// let (parts, ()) = http::Request::get("/").header("host", "[::1]:8080").body(()).unwrap().into_parts();
/// assert_eq!(canonical_host(&parts), "::1");
/// let (parts, ()) = http::Request::get("http://Example.com./x").body(()).unwrap().into_parts();
/// assert_eq!(canonical_host(&parts), "example.com.");
/// ```
pub fn canonical_host(parts: &http::request::Parts) -> Cow<'_, str> {
    if let Some(authority) = parts.uri.authority() {
        let raw = authority.as_str();
        let raw = raw.rfind('@').map_or(raw, |i| &raw[i + 1..]);
        return canonicalize(raw);
    }
    match parts.headers.get(http::header::HOST) {
        None => Cow::Borrowed(""),
        Some(value) => match std::str::from_utf8(value.as_bytes()) {
            Ok(raw) => canonicalize(raw),
            Err(_) => {
                Cow::Owned(canonicalize(&String::from_utf8_lossy(value.as_bytes())).into_owned())
            }
        },
    }
}

/// Go's `parseHost` + `CanonicalDomain` on a host value.
fn canonicalize(raw: &str) -> Cow<'_, str> {
    let host = parse_host(raw).trim();
    if host.bytes().any(|b| b.is_ascii_uppercase()) || !host.is_ascii() {
        let lower = host.to_lowercase();
        if lower != host {
            return Cow::Owned(lower);
        }
    }
    Cow::Borrowed(host)
}

/// Traefik's `requestdecorator.parseHost`.
fn parse_host(addr: &str) -> &str {
    if !addr.contains(':') {
        return addr;
    }
    match split_host_port(addr) {
        Some(host) => host,
        None if addr.len() >= 2 && addr.starts_with('[') && addr.ends_with(']') => {
            &addr[1..addr.len() - 1]
        }
        None => addr,
    }
}

/// The host part of Go's `net.SplitHostPort`, `None` where Go returns an error.
fn split_host_port(hostport: &str) -> Option<&str> {
    let i = hostport.rfind(':')?;
    let (host, j, k) = if hostport.starts_with('[') {
        let end = hostport.find(']')?;
        if end + 1 != i {
            return None;
        }
        (&hostport[1..end], 1, end + 1)
    } else {
        let host = &hostport[..i];
        if host.contains(':') {
            return None;
        }
        (host, 0, 0)
    };
    if hostport[j..].contains('[') || hostport[k..].contains(']') {
        return None;
    }
    Some(host)
}

/// Bytes whose `%XX` form stays encoded in the routing path: RFC 3986 reserved characters
/// (gen-delims and sub-delims) and `%` itself.
const RESERVED: &[u8] = b":/?#[]@!$&'()*+,;=%";

/// Traefik's routing path: the escaped request path with percent-encoded *non-reserved*
/// characters decoded, while reserved ones (`%2F %3F %23 %25 %3A %5B %5D %40 %21 %24 %26
/// %27 %28 %29 %2A %2B %2C %3B %3D`) stay encoded.
///
/// `Path(`/foo bar`)` thus matches `/foo%20bar`, while `PathPrefix(`/foo/bar`)` does not
/// match `/foo%2Fbar`. Reserved escapes are written with upper-case hex digits (Traefik's
/// entrypoint normalizes `%2f` to `%2F` before routing). A `%` not followed by two hex
/// digits is kept as is (the entrypoint answers 400 before routing). Decoded bytes that
/// are not UTF-8 become U+FFFD. Borrows when the path holds no `%`.
///
/// # Example
///
/// ```
/// use portico_rules::routing_path;
///
/// assert_eq!(routing_path("/foo%20bar%2Fbaz%23qux"), "/foo bar%2Fbaz%23qux");
/// assert_eq!(routing_path("/a%2fb%41"), "/a%2FbA");
/// assert!(matches!(routing_path("/plain"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn routing_path(path: &str) -> Cow<'_, str> {
    if !path.contains('%') {
        return Cow::Borrowed(path);
    }
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let decoded = (b[i] == b'%')
            .then(|| Some((hex(*b.get(i + 1)?)? << 4) | hex(*b.get(i + 2)?)?))
            .flatten();
        match decoded {
            Some(byte) if RESERVED.contains(&byte) => {
                out.push(b'%');
                out.push(b[i + 1].to_ascii_uppercase());
                out.push(b[i + 2].to_ascii_uppercase());
                i += 3;
            }
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{canonical_host, canonicalize, routing_path};
    use std::borrow::Cow;

    fn host_of(header: &str) -> String {
        let (parts, ()) = http::Request::get("/")
            .header("host", header)
            .body(())
            .unwrap()
            .into_parts();
        canonical_host(&parts).into_owned()
    }

    #[test]
    fn parse_host_table_from_traefik() {
        // Test_parseHost in pkg/middlewares/requestdecorator.
        for (raw, want) in [
            ("host", "host"),
            ("host:", "host"),
            ("127.0.0.1:123", "127.0.0.1"),
            ("127.0.0.1:", "127.0.0.1"),
            ("fe80::215:5dff:fe20:cd6a", "fe80::215:5dff:fe20:cd6a"),
            ("[fe80::215:5dff:fe20:cd6a]:123", "fe80::215:5dff:fe20:cd6a"),
            ("[fe80::215:5dff:fe20:cd6a]:", "fe80::215:5dff:fe20:cd6a"),
            ("[fe80::215:5dff:fe20:cd6a]", "fe80::215:5dff:fe20:cd6a"),
            ("fe80::215:5dff:fe20:cd6a]", "fe80::215:5dff:fe20:cd6a]"),
            ("[fe80::215:5dff:fe20:cd6a", "[fe80::215:5dff:fe20:cd6a"),
            ("", ""),
            (":", ""),
            ("HOST:8080", "host"),
        ] {
            assert_eq!(canonicalize(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn canonical_host_sources() {
        assert_eq!(host_of("Example.COM:80"), "example.com");
        assert_eq!(host_of(" example.com "), "example.com");
        let (parts, ()) = http::Request::get("/").body(()).unwrap().into_parts();
        assert_eq!(canonical_host(&parts), "");
        // Absolute-form wins over the Host header, user info is dropped.
        let (parts, ()) = http::Request::get("http://user@A.example:81/x")
            .header("host", "other")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(canonical_host(&parts), "a.example");
        let (parts, ()) = http::Request::get("/")
            .header(
                "host",
                http::HeaderValue::from_bytes(b"EXAMPL\xc9.com").unwrap(),
            )
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(canonical_host(&parts), "exampl\u{fffd}.com");
        assert!(matches!(canonicalize("example.com"), Cow::Borrowed(_)));
        assert!(matches!(canonicalize("example.com:80"), Cow::Borrowed(_)));
        assert_eq!(canonicalize("ÉXAMPLE.com"), "éxample.com");
    }

    #[test]
    fn routing_path_table_from_traefik() {
        // TestRoutingPath in pkg/muxer/http/mux_test.go (conformance/path-normalization.yaml).
        assert_eq!(routing_path("/foo%20bar"), "/foo bar");
        assert_eq!(routing_path("/foo%2Fbar"), "/foo%2Fbar");
        assert_eq!(
            routing_path("/foo%20bar%2Fbaz%23qux"),
            "/foo bar%2Fbaz%23qux"
        );
        for reserved in [
            "%2F", "%3F", "%23", "%25", "%3A", "%5B", "%5D", "%40", "%21", "%24", "%26", "%27",
            "%28", "%29", "%2A", "%2B", "%2C", "%3B", "%3D",
        ] {
            let path = format!("/a{reserved}b");
            assert_eq!(routing_path(&path), path);
            assert_eq!(routing_path(&path.to_lowercase()), path, "lower-case hex");
        }
        assert_eq!(routing_path("/%41%7e%2d%c3%a9"), "/A~-é");
        assert_eq!(routing_path("/%"), "/%");
        assert_eq!(routing_path("/%zz%4"), "/%zz%4");
        assert_eq!(routing_path("/%ff"), "/\u{fffd}");
        assert!(matches!(routing_path("/a/b"), Cow::Borrowed("/a/b")));
    }
}
