//! The pieces of one `forwardAuth` exchange: the authentication request's headers,
//! bounded body reads, `Location` resolution and cookie names.

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri, header};
use http_body::Body as HttpBody;
use http_body_util::BodyExt;
use portico_core::ConnectionInfo;

use crate::redirect_regex::{is_tls, request_host};

pub(super) const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
pub(super) const X_FORWARDED_METHOD: HeaderName = HeaderName::from_static("x-forwarded-method");
pub(super) const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub(super) const X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
pub(super) const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
pub(super) const X_FORWARDED_URI: HeaderName = HeaderName::from_static("x-forwarded-uri");

/// Hop-by-hop headers never sent to the authentication server nor copied back
/// from it (Traefik's list: `Proxy-Authorization` is forwarded on purpose).
const HOP_HEADERS: [&str; 6] = [
    "connection",
    "keep-alive",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
];

/// Removes hop-by-hop headers and the headers `Connection` names.
pub(super) fn remove_hop_headers(headers: &mut HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|t| HeaderName::try_from(t.trim()).ok())
        .collect();
    for name in listed {
        headers.remove(name);
    }
    for name in HOP_HEADERS {
        headers.remove(name);
    }
}

/// The headers sent to the authentication server, as Traefik's `writeHeader`
/// builds them from the client's request.
pub(super) fn auth_request_headers<B>(
    request: &Request<B>,
    trust_forward_header: bool,
    allowed: &[HeaderName],
) -> HeaderMap {
    let mut out = request.headers().clone();
    // Framing and `Host` belong to the new request.
    out.remove(header::HOST);
    out.remove(header::CONTENT_LENGTH);
    remove_hop_headers(&mut out);
    if !allowed.is_empty() {
        let mut filtered = HeaderMap::new();
        for name in allowed {
            for value in out.get_all(name) {
                filtered.append(name.clone(), value.clone());
            }
        }
        out = filtered;
    }

    let incoming = request.headers();
    let trusted = |name: &HeaderName| {
        trust_forward_header
            .then(|| incoming.get(name))
            .flatten()
            .filter(|v| !v.is_empty())
            .cloned()
    };

    if let Some(info) = request.extensions().get::<ConnectionInfo>() {
        let client = info.peer_ip_value().clone();
        let value = if trust_forward_header && incoming.contains_key(&X_FORWARDED_FOR) {
            let prior: Vec<&str> = incoming
                .get_all(&X_FORWARDED_FOR)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            let client = client.to_str().unwrap_or_default();
            HeaderValue::from_str(&format!("{}, {client}", prior.join(", ")))
                .unwrap_or(HeaderValue::from_str(client).unwrap_or(HeaderValue::from_static("")))
        } else {
            client
        };
        out.insert(X_FORWARDED_FOR, value);
    }

    let method = trusted(&X_FORWARDED_METHOD)
        .or_else(|| HeaderValue::from_str(request.method().as_str()).ok());
    set_or_remove(&mut out, X_FORWARDED_METHOD, method);

    let proto = trusted(&X_FORWARDED_PROTO).unwrap_or_else(|| {
        HeaderValue::from_static(if is_tls(request) { "https" } else { "http" })
    });
    out.insert(X_FORWARDED_PROTO, proto);

    if let Some(port) = trusted(&X_FORWARDED_PORT) {
        out.insert(X_FORWARDED_PORT, port);
    }

    let host = trusted(&X_FORWARDED_HOST).or_else(|| {
        let host = request_host(request);
        (!host.is_empty())
            .then(|| HeaderValue::from_str(&host).ok())
            .flatten()
    });
    set_or_remove(&mut out, X_FORWARDED_HOST, host);

    let uri = trusted(&X_FORWARDED_URI).or_else(|| {
        let target = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/");
        HeaderValue::from_str(target).ok()
    });
    set_or_remove(&mut out, X_FORWARDED_URI, uri);
    out
}

fn set_or_remove(headers: &mut HeaderMap, name: HeaderName, value: Option<HeaderValue>) {
    match value {
        Some(v) => {
            headers.insert(name, v);
        }
        None => {
            headers.remove(name);
        }
    }
}

/// The method of the authentication request.
pub(super) fn auth_method(original: &Method, preserve: bool) -> Method {
    if preserve {
        original.clone()
    } else {
        Method::GET
    }
}

/// Why a body could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ReadError {
    /// More than the limit.
    TooLarge,
    /// The stream failed.
    Failed,
}

/// Reads a whole body, failing past `limit` bytes.
pub(super) async fn read_limited<B>(body: B, limit: Option<u64>) -> Result<Bytes, ReadError>
where
    B: HttpBody<Data = Bytes>,
{
    let mut body = std::pin::pin!(body);
    let mut out = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ReadError::Failed)?;
        if let Ok(data) = frame.into_data() {
            out.extend_from_slice(&data);
            if limit.is_some_and(|l| out.len() as u64 > l) {
                return Err(ReadError::TooLarge);
            }
        }
    }
    Ok(out.freeze())
}

/// Go's `textproto.CanonicalMIMEHeaderKey`: `x-auth-user` is `X-Auth-User`.
pub(crate) fn canonical_key(name: &str) -> String {
    let mut upper = true;
    name.chars()
        .map(|c| {
            let out = if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
            upper = c == '-';
            out
        })
        .collect()
}

/// The name of the cookie a `Set-Cookie` value sets, if it is well-formed.
pub(super) fn cookie_name(set_cookie: &HeaderValue) -> Option<&str> {
    let text = set_cookie.to_str().ok()?;
    let first = text.split(';').next()?.trim();
    let (name, _) = first.split_once('=')?;
    let name = name.trim();
    (!name.is_empty() && HeaderName::try_from(name).is_ok()).then_some(name)
}

/// `location` resolved against `base`, as Go's `Response.Location` does.
pub(super) fn resolve_location(base: &Uri, location: &str) -> Option<String> {
    if location.is_empty() {
        return None;
    }
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map(|a| a.as_str()).unwrap_or_default();
    if let Some((s, _)) = location.split_once(':')
        && !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return Some(location.to_owned());
    }
    if location.starts_with("//") {
        return Some(format!("{scheme}:{location}"));
    }
    let (path_part, suffix) = match location.find(['?', '#']) {
        Some(i) => location.split_at(i),
        None => (location, ""),
    };
    let merged = if path_part.starts_with('/') {
        path_part.to_owned()
    } else if path_part.is_empty() {
        base.path().to_owned()
    } else {
        let base_path = base.path();
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{path_part}")
    };
    Some(format!(
        "{scheme}://{authority}{}{suffix}",
        remove_dot_segments(&merged)
    ))
}

/// RFC 3986 §5.2.4.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if path.starts_with('/') && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_keys_follow_go() {
        assert_eq!(canonical_key("x-auth-user"), "X-Auth-User");
        assert_eq!(canonical_key("www-authenticate"), "Www-Authenticate");
    }

    #[test]
    fn cookie_names() {
        let v = HeaderValue::from_static("session=abc; Path=/; HttpOnly");
        assert_eq!(cookie_name(&v), Some("session"));
        assert_eq!(cookie_name(&HeaderValue::from_static("novalue")), None);
    }

    #[test]
    fn locations_resolve_against_the_auth_address() {
        let base: Uri = "http://auth.local:9000/verify/check?x=1".parse().unwrap();
        assert_eq!(
            resolve_location(&base, "https://login.example/a").as_deref(),
            Some("https://login.example/a")
        );
        assert_eq!(
            resolve_location(&base, "/login?rd=1").as_deref(),
            Some("http://auth.local:9000/login?rd=1")
        );
        assert_eq!(
            resolve_location(&base, "login").as_deref(),
            Some("http://auth.local:9000/verify/login")
        );
        assert_eq!(
            resolve_location(&base, "../up").as_deref(),
            Some("http://auth.local:9000/up")
        );
        assert_eq!(
            resolve_location(&base, "//cdn.example/x").as_deref(),
            Some("http://cdn.example/x")
        );
        assert_eq!(resolve_location(&base, ""), None);
    }
}
