//! Hop-by-hop header removal and `X-Forwarded-For`, as Go's reverse proxy does them.

use http::{
    HeaderMap, HeaderName, HeaderValue,
    header::{self, CONNECTION, Entry, TE, TRANSFER_ENCODING, UPGRADE},
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
    // One pass over the names finds which hop-by-hop fields are present; most
    // messages carry none, or only `Connection`, and only those present are
    // looked up again.
    let mut present = 0u8;
    for name in headers.keys() {
        present |= hop_by_hop_bit(name.as_str());
    }
    if present == 0 {
        return None;
    }
    let has = |name: &HeaderName| present & hop_by_hop_bit(name.as_str()) != 0;
    let upgrade = if keep_upgrade && has(&UPGRADE) && has_token(headers, CONNECTION, "upgrade") {
        headers.get(UPGRADE).cloned()
    } else {
        None
    };
    // Read before `Connection` is honoured: clients send `Connection: te`.
    let te_trailers = has(&TE)
        && headers
            .get_all(TE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case("trailers"));
    if has(&CONNECTION) {
        // Fields named in `Connection`, except the hop-by-hop ones removed
        // below anyway (`keep-alive`, `upgrade`): usually none.
        let listed: Vec<HeaderName> = headers
            .get_all(CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|t| {
                !t.is_empty()
                    && !is_managed(t)
                    && !HOP_BY_HOP
                        .iter()
                        .any(|h| t.eq_ignore_ascii_case(h.as_str()))
            })
            .filter_map(|t| HeaderName::from_bytes(t.as_bytes()).ok())
            .collect();
        for name in listed {
            headers.remove(name);
        }
    }
    for (bit, name) in HOP_BY_HOP.iter().enumerate() {
        if present & (1 << bit) != 0 {
            headers.remove(name);
        }
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

/// The hop-by-hop fields, removed from every forwarded message, in the order of
/// their bits in [`hop_by_hop_bit`].
const HOP_BY_HOP: [HeaderName; 8] = [
    CONNECTION,
    PROXY_CONNECTION,
    KEEP_ALIVE,
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    TE,
    TRANSFER_ENCODING,
    UPGRADE,
];

/// A bit for each hop-by-hop field name (lower case; bit `i` is `HOP_BY_HOP[i]`),
/// 0 for any other name. A `match` rather than a search of [`HOP_BY_HOP`]: it runs
/// for every field of every forwarded message.
fn hop_by_hop_bit(name: &str) -> u8 {
    match name {
        "connection" => 1,
        "proxy-connection" => 1 << 1,
        "keep-alive" => 1 << 2,
        "proxy-authenticate" => 1 << 3,
        "proxy-authorization" => 1 << 4,
        "te" => 1 << 5,
        "transfer-encoding" => 1 << 6,
        "upgrade" => 1 << 7,
        _ => 0,
    }
}

/// Whether a comma-separated field of `headers` (every line of it) lists `token`,
/// compared case-insensitively.
pub(crate) fn has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.as_bytes().split(|b| *b == b','))
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
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
    let mut entry = match headers.entry(X_FORWARDED_FOR) {
        Entry::Vacant(entry) => {
            entry.insert(client.clone());
            return;
        }
        Entry::Occupied(entry) => entry,
    };
    let mut joined = Vec::with_capacity(64);
    for value in entry.iter() {
        joined.extend_from_slice(value.as_bytes());
        joined.extend_from_slice(b", ");
    }
    joined.extend_from_slice(client.as_bytes());
    if let Ok(value) = HeaderValue::from_bytes(&joined) {
        entry.insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_hop_by_hop_name_has_its_own_bit_in_list_order() {
        for (i, name) in HOP_BY_HOP.iter().enumerate() {
            assert_eq!(hop_by_hop_bit(name.as_str()), 1 << i, "{name}");
        }
        assert_eq!(hop_by_hop_bit("x-app"), 0);
    }

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn fields_listed_in_connection_go_whatever_their_case() {
        let mut h = HeaderMap::new();
        h.insert(CONNECTION, "Keep-Alive, X-Secret, close".parse().unwrap());
        h.insert("x-secret", "1".parse().unwrap());
        h.insert("close", "odd but listed".parse().unwrap());
        h.insert(KEEP_ALIVE, "timeout=5".parse().unwrap());
        h.insert(TRANSFER_ENCODING, "chunked".parse().unwrap());
        h.insert("x-app", "kept".parse().unwrap());
        assert_eq!(remove_hop_by_hop(&mut h, false), None);
        assert_eq!(
            h.keys().map(HeaderName::as_str).collect::<Vec<_>>(),
            ["x-app"]
        );
        // Nothing hop-by-hop: untouched.
        let before = h.clone();
        remove_hop_by_hop(&mut h, true);
        assert_eq!(h, before);
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
