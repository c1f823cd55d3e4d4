//! Hop-by-hop header removal and `X-Forwarded-For`, as Go's reverse proxy does them.

use http::{
    HeaderMap, HeaderName, HeaderValue,
    header::{self, CONNECTION, TE, TRANSFER_ENCODING, UPGRADE},
};

/// `X-Forwarded-For`.
pub(crate) const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
const PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");

/// Headers a client may not remove by naming them in `Connection`: the forwarding
/// headers Portico itself manages.
fn is_managed(name: &str) -> bool {
    let b = name.as_bytes();
    (b.len() >= 12 && b[..12].eq_ignore_ascii_case(b"x-forwarded-"))
        || name.eq_ignore_ascii_case("x-real-ip")
}

/// Removes hop-by-hop headers: those listed in `Connection` (except the
/// `X-Forwarded-*`/`X-Real-Ip` headers Portico manages), then `Connection`,
/// `Proxy-Connection`, `Keep-Alive`, `Proxy-Authenticate`, `Proxy-Authorization`,
/// `TE`, `Transfer-Encoding` and `Upgrade`.
///
/// A `TE` naming `trailers` comes back as `TE: trailers` (gRPC requires it, and
/// HTTP/2 allows it), even when `Connection` lists `TE` as HTTP/1.1 clients must.
/// `Trailer` is kept (RFC 9110 makes it end to end): it announces the trailer
/// fields, and an HTTP/1.1 peer only receives trailers that were announced.
///
/// Returns the `Upgrade` value when `keep_upgrade` is set and the headers ask for a
/// protocol switch, so the caller can put `Connection: upgrade` back.
///
/// # Example
///
/// ```
/// use http::HeaderMap;
///
/// let mut h = HeaderMap::new();
/// h.insert("connection", "keep-alive, x-secret".parse().unwrap());
/// h.insert("x-secret", "1".parse().unwrap());
/// h.insert("keep-alive", "timeout=5".parse().unwrap());
/// h.insert("x-app", "kept".parse().unwrap());
/// portico_proxy::remove_hop_by_hop(&mut h, false);
/// assert_eq!(h.len(), 1);
/// assert!(h.contains_key("x-app"));
/// ```
pub fn remove_hop_by_hop(headers: &mut HeaderMap, keep_upgrade: bool) -> Option<HeaderValue> {
    // Most messages carry none of these: one pass over the names instead of a hash
    // lookup per hop-by-hop header.
    if !headers.keys().any(|name| is_hop_by_hop(name.as_str())) {
        return None;
    }
    let upgrade = if keep_upgrade && connection_has_token(headers, "upgrade") {
        headers.get(UPGRADE).cloned()
    } else {
        None
    };
    // Read before `Connection` is honoured: clients send `Connection: te`.
    let te_trailers = headers
        .get_all(TE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("trailers"));
    if headers.contains_key(CONNECTION) {
        let listed: Vec<HeaderName> = headers
            .get_all(CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty() && !is_managed(t))
            .filter_map(|t| HeaderName::from_bytes(t.as_bytes()).ok())
            .collect();
        for name in listed {
            headers.remove(name);
        }
        headers.remove(CONNECTION);
    }
    for name in [
        PROXY_CONNECTION,
        KEEP_ALIVE,
        header::PROXY_AUTHENTICATE,
        header::PROXY_AUTHORIZATION,
        TE,
        TRANSFER_ENCODING,
        UPGRADE,
    ] {
        headers.remove(name);
    }
    if te_trailers {
        headers.insert(TE, HeaderValue::from_static("trailers"));
    }
    if let Some(protocol) = &upgrade {
        headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
        headers.insert(UPGRADE, protocol.clone());
    }
    upgrade
}

fn is_hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "proxy-connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "transfer-encoding"
            | "upgrade"
    )
}

fn connection_has_token(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// Appends `client` (an IP address, already formatted) to `X-Forwarded-For`,
/// joining several incoming field lines with `", "` into one, as Go's reverse proxy
/// does. Without an incoming value the client's value is inserted as is, without
/// allocating.
///
/// # Example
///
/// ```
/// use http::{HeaderMap, HeaderValue};
///
/// let mut h = HeaderMap::new();
/// h.append("x-forwarded-for", "10.0.0.1".parse().unwrap());
/// h.append("x-forwarded-for", "10.0.0.2".parse().unwrap());
/// portico_proxy::append_x_forwarded_for(&mut h, &HeaderValue::from_static("192.0.2.9"));
/// assert_eq!(h["x-forwarded-for"], "10.0.0.1, 10.0.0.2, 192.0.2.9");
/// ```
pub fn append_x_forwarded_for(headers: &mut HeaderMap, client: &HeaderValue) {
    let mut values = headers.get_all(&X_FORWARDED_FOR).iter();
    let first = values.next();
    if first.is_none() {
        headers.insert(X_FORWARDED_FOR, client.clone());
        return;
    }
    let mut joined = Vec::with_capacity(64);
    for value in headers.get_all(&X_FORWARDED_FOR) {
        joined.extend_from_slice(value.as_bytes());
        joined.extend_from_slice(b", ");
    }
    joined.extend_from_slice(client.as_bytes());
    if let Ok(value) = HeaderValue::from_bytes(&joined) {
        headers.insert(X_FORWARDED_FOR, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn managed_headers_survive_connection_listing() {
        let mut h = map(&[
            ("connection", "X-Forwarded-For, x-real-ip, x-drop"),
            ("x-forwarded-for", "1.2.3.4"),
            ("x-real-ip", "1.2.3.4"),
            ("x-drop", "1"),
        ]);
        remove_hop_by_hop(&mut h, false);
        assert!(h.contains_key("x-forwarded-for"));
        assert!(h.contains_key("x-real-ip"));
        assert!(!h.contains_key("x-drop"));
        assert!(!h.contains_key("connection"));
    }

    #[test]
    fn te_trailers_is_kept_alone() {
        let mut h = map(&[("te", "gzip, trailers")]);
        remove_hop_by_hop(&mut h, false);
        assert_eq!(h["te"], "trailers");
        let mut h = map(&[("te", "gzip")]);
        remove_hop_by_hop(&mut h, false);
        assert!(!h.contains_key("te"));
    }

    #[test]
    fn te_trailers_survives_connection_listing_it() {
        // What HTTP/1.1 clients of gRPC-over-h1 and curl send.
        let mut h = map(&[("connection", "TE"), ("te", "trailers")]);
        remove_hop_by_hop(&mut h, false);
        assert_eq!(h["te"], "trailers");
        assert!(!h.contains_key("connection"));
    }

    #[test]
    fn trailer_announcement_is_end_to_end() {
        let mut h = map(&[("trailer", "grpc-status, grpc-message"), ("te", "x")]);
        remove_hop_by_hop(&mut h, false);
        assert_eq!(h["trailer"], "grpc-status, grpc-message");
        assert!(!h.contains_key("te"));
        // Unless the sender lists it as hop-by-hop.
        let mut h = map(&[("connection", "trailer"), ("trailer", "x-sum")]);
        remove_hop_by_hop(&mut h, false);
        assert!(!h.contains_key("trailer"));
    }

    #[test]
    fn upgrade_is_kept_only_when_asked() {
        let base = [
            ("connection", "keep-alive, Upgrade"),
            ("upgrade", "websocket"),
        ];
        let mut h = map(&base);
        assert_eq!(remove_hop_by_hop(&mut h, true).unwrap(), "websocket");
        assert_eq!(h["connection"], "Upgrade");
        assert_eq!(h["upgrade"], "websocket");
        let mut h = map(&base);
        assert!(remove_hop_by_hop(&mut h, false).is_none());
        assert!(!h.contains_key("upgrade"));
        // `Upgrade` without `Connection: upgrade` is not a protocol switch.
        let mut h = map(&[("upgrade", "websocket")]);
        assert!(remove_hop_by_hop(&mut h, true).is_none());
        assert!(!h.contains_key("upgrade"));
    }

    #[test]
    fn xff_is_inserted_or_appended() {
        let mut h = HeaderMap::new();
        append_x_forwarded_for(&mut h, &HeaderValue::from_static("10.1.2.3"));
        assert_eq!(h["x-forwarded-for"], "10.1.2.3");
        append_x_forwarded_for(&mut h, &HeaderValue::from_static("2001:db8::1"));
        assert_eq!(h["x-forwarded-for"], "10.1.2.3, 2001:db8::1");
    }
}
