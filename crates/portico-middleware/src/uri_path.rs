//! Request-path helpers shared by the path-rewriting middlewares.
//!
//! A request's path travels escaped (`/a%2Fb`), as received. Traefik's middlewares
//! compare prefixes and regexps with the *decoded* path (Go's `URL.Path`) and keep
//! the escaped form (`URL.RawPath`) in step; these helpers do the same on the one
//! escaped string: decode it, map decoded offsets back to escaped ones, tell whether
//! a rewritten path would be reinterpreted by a backend (dot segments once decoded),
//! and put a new path into a URI while keeping its query.

use std::borrow::Cow;

use http::{Uri, uri::PathAndQuery};

/// A path that cannot be put into a URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InvalidPath;

/// A `%` not followed by two hexadecimal digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BadEscape;

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The escape at `bytes[i..]`, if `bytes[i]` starts a valid `%XX`.
fn escape_at(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes.get(i) != Some(&b'%') {
        return None;
    }
    let h = hex(*bytes.get(i + 1)?)?;
    let l = hex(*bytes.get(i + 2)?)?;
    Some(h << 4 | l)
}

/// Decodes every valid `%XX` escape; a malformed `%` stays as it is.
pub(crate) fn decode(path: &str) -> Cow<'_, [u8]> {
    if !path.contains('%') {
        return Cow::Borrowed(path.as_bytes());
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match escape_at(bytes, i) {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// The decoded path as text, when it is UTF-8.
pub(crate) fn decode_str(path: &str) -> Option<Cow<'_, str>> {
    match decode(path) {
        Cow::Borrowed(_) => Some(Cow::Borrowed(path)),
        Cow::Owned(bytes) => String::from_utf8(bytes).ok().map(Cow::Owned),
    }
}

/// The offset in the escaped `path` just after its first `decoded_len` decoded
/// bytes; `None` when that point falls inside an escape or past the end.
pub(crate) fn raw_offset(path: &str, decoded_len: usize) -> Option<usize> {
    let bytes = path.as_bytes();
    let (mut raw, mut decoded) = (0, 0);
    while decoded < decoded_len {
        if raw >= bytes.len() {
            return None;
        }
        raw += if escape_at(bytes, raw).is_some() {
            3
        } else {
            1
        };
        decoded += 1;
    }
    Some(raw)
}

/// Strips `prefix`, compared with the decoded path, from the escaped `path`;
/// returns the escaped remainder.
pub(crate) fn strip_decoded_prefix<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    // The escaped path can be cut directly when the matched part has no escape.
    if !prefix.contains('%')
        && let Some(rest) = path.strip_prefix(prefix)
    {
        return Some(rest);
    }
    if !path.contains('%') {
        return None;
    }
    let decoded = decode(path);
    if !decoded.starts_with(prefix.as_bytes()) {
        return None;
    }
    raw_offset(path, prefix.len()).map(|at| &path[at..])
}

/// `/` + `path` unless it is empty or already starts with `/`.
pub(crate) fn ensure_leading_slash(path: &str) -> Cow<'_, str> {
    if path.is_empty() || path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("/{path}"))
    }
}

/// Whether the path, once decoded, has a `.` or `..` segment: a backend that
/// normalizes it would serve another resource than the one routed on. Both `/` and
/// `\` count as separators (some backends treat them alike).
pub(crate) fn has_dot_segments(path: &str) -> bool {
    let decoded = decode(path);
    decoded
        .split(|b| *b == b'/' || *b == b'\\')
        .any(|segment| segment == b"." || segment == b"..")
}

/// Whether `b` may appear in a path as it is (RFC 3986 `pchar` and `/`, `%`).
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
                | b'%'
        )
}

fn push_escaped(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// Escapes a decoded path segment (as Go's `url.PathEscape` for a path, `/` kept):
/// everything outside the unreserved set and `$&+,/:;=@` becomes `%XX`, `%` too.
pub(crate) fn escape_decoded(text: &str) -> Cow<'_, str> {
    let keep = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'$'
                    | b'&'
                    | b'+'
                    | b','
                    | b'/'
                    | b':'
                    | b';'
                    | b'='
                    | b'@'
            )
    };
    if text.bytes().all(keep) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for b in text.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            push_escaped(&mut out, b);
        }
    }
    Cow::Owned(out)
}

/// Turns a path written in configuration or produced by a replacement into an
/// escaped path: valid escapes are kept, characters a path cannot carry (space,
/// `?`, `#`, non-ASCII, ...) are escaped. A malformed `%` is an error, as Go's
/// `url.PathUnescape` makes it.
pub(crate) fn to_raw_path(text: &str) -> Result<Cow<'_, str>, BadEscape> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut clean = true;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            escape_at(bytes, i).ok_or(BadEscape)?;
            i += 3;
        } else {
            clean &= is_path_byte(bytes[i]);
            i += 1;
        }
    }
    if clean {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len() + 8);
    for b in text.bytes() {
        if is_path_byte(b) {
            out.push(char::from(b));
        } else {
            push_escaped(&mut out, b);
        }
    }
    Ok(Cow::Owned(out))
}

/// `uri` with its path replaced by the escaped `path` (empty means `/`), keeping the
/// query, scheme and authority.
pub(crate) fn with_path(uri: &Uri, path: &str) -> Result<Uri, InvalidPath> {
    let path = if path.is_empty() { "/" } else { path };
    let pq = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(pq).map_err(|_| InvalidPath)?);
    Uri::from_parts(parts).map_err(|_| InvalidPath)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_valid_escapes_only() {
        assert_eq!(&*decode("/a%2Fb%41"), b"/a/bA");
        assert_eq!(&*decode("/a%zz%4"), b"/a%zz%4");
        assert_eq!(decode_str("/%FF"), None);
    }

    #[test]
    fn prefix_is_compared_decoded_and_stripped_escaped() {
        assert_eq!(strip_decoded_prefix("/api/x", "/api"), Some("/x"));
        assert_eq!(strip_decoded_prefix("/api%2Fv1/x", "/api/v1"), Some("/x"));
        assert_eq!(
            strip_decoded_prefix("/api%2F..%2Fa", "/api"),
            Some("%2F..%2Fa")
        );
        assert_eq!(strip_decoded_prefix("/ap%69/x", "/api"), Some("/x"));
        assert_eq!(strip_decoded_prefix("/other", "/api"), None);
        // The prefix ends inside an escape: no match.
        assert_eq!(strip_decoded_prefix("/a%2F", "/a%"), None);
    }

    #[test]
    fn dot_segments_are_found_once_decoded() {
        assert!(has_dot_segments("/../a"));
        assert!(has_dot_segments("/%2e%2e/a"));
        assert!(has_dot_segments("/%2F..%2Fadmin"));
        assert!(has_dot_segments("/a/."));
        assert!(has_dot_segments("/a%5C..%5Cb"));
        assert!(!has_dot_segments("/a/..b/c.d/"));
        assert!(!has_dot_segments("/"));
    }

    #[test]
    fn raw_paths_keep_escapes_and_escape_the_rest() {
        assert_eq!(to_raw_path("/a%20b").unwrap(), "/a%20b");
        assert_eq!(to_raw_path("/a b?c#d").unwrap(), "/a%20b%3Fc%23d");
        assert_eq!(to_raw_path("/é").unwrap(), "/%C3%A9");
        assert_eq!(to_raw_path("/a%zz"), Err(BadEscape));
        assert_eq!(escape_decoded("/a b%"), "/a%20b%25");
    }

    #[test]
    fn with_path_keeps_the_query() {
        let uri: Uri = "/old?x=1".parse().unwrap();
        assert_eq!(with_path(&uri, "/new").unwrap(), "/new?x=1");
        assert_eq!(with_path(&uri, "").unwrap(), "/?x=1");
        let abs: Uri = "http://example.com/old".parse().unwrap();
        assert_eq!(with_path(&abs, "/n").unwrap(), "http://example.com/n");
    }
}
