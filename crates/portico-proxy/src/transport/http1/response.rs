//! A response head read off the wire, and how its body is delimited
//! (RFC 9112 §6.3).

use std::mem::MaybeUninit;

use bytes::BytesMut;
use http::{
    HeaderMap, HeaderName, HeaderValue, Response, StatusCode, Version,
    header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING},
};

use crate::headers::has_token;

/// The largest response head accepted (Go's `MaxResponseHeaderBytes` is 1 MiB,
/// nginx's `proxy_buffer_size` 4-8 KiB).
pub(super) const MAX_HEAD: usize = 64 * 1024;

/// The most header fields a response head may have (hyper's limit is 100).
const MAX_FIELDS: usize = 128;

/// How a response body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Framing {
    /// No body: `HEAD`, 1xx, 204, 304.
    Empty,
    Length(u64),
    Chunked,
    /// Read until the backend closes the connection.
    UntilClose,
}

/// A parsed response head.
#[derive(Debug)]
pub(super) struct Head {
    pub(super) response: Response<()>,
    pub(super) framing: Framing,
    /// Whether the connection may carry another exchange after this one.
    pub(super) keep_alive: bool,
}

/// Why a response head was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HeadError {
    /// Not HTTP/1.x syntax.
    #[error("invalid response head: {0}")]
    Syntax(httparse::Error),
    /// Longer than [`MAX_HEAD`].
    #[error("response head larger than {MAX_HEAD} bytes")]
    TooLarge,
    /// A status code outside 100-999 or a field http does not accept.
    #[error("invalid response head: {0}")]
    Field(&'static str),
    /// Several different or unparsable `Content-Length` values.
    #[error("invalid Content-Length in the response")]
    ContentLength,
}

/// Parses the response head at the start of `buf`, taking it out of `buf`;
/// `None` while more bytes are needed. `to_head` is set for a `HEAD` request,
/// whose response never has a body.
pub(super) fn parse_head(buf: &mut BytesMut, to_head: bool) -> Result<Option<Head>, HeadError> {
    let mut fields = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_FIELDS];
    // Where each field's name and value lie in `buf`, to slice them once the
    // head is split off (values then share its memory).
    let mut spans = [[0u32; 4]; MAX_FIELDS];
    let (len, code, minor, count) = {
        let mut parsed = httparse::Response::new(&mut []);
        let status = httparse::ParserConfig::default().parse_response_with_uninit_headers(
            &mut parsed,
            buf,
            &mut fields,
        );
        let len = match status {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
                return Err(HeadError::TooLarge);
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(HeadError::Syntax(e)),
        };
        if len > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        let base = buf.as_ptr() as usize;
        for (span, field) in spans.iter_mut().zip(parsed.headers.iter()) {
            let name = field.name.as_ptr() as usize - base;
            let value = field.value.as_ptr() as usize - base;
            // `len` <= MAX_HEAD, so every offset fits.
            *span = [
                name as u32,
                (name + field.name.len()) as u32,
                value as u32,
                (value + field.value.len()) as u32,
            ];
        }
        (
            len,
            parsed.code.unwrap_or(0),
            parsed.version.unwrap_or(1),
            parsed.headers.len(),
        )
    };
    let bytes = buf.split_to(len).freeze();
    let mut headers = HeaderMap::with_capacity(count);
    // The framing fields are noted on the way in: most heads lack some of them,
    // and a lookup in the map costs a hash and a probe each.
    let mut seen = Framed::default();
    for [n0, n1, v0, v1] in &spans[..count] {
        let name = HeaderName::from_bytes(&bytes[*n0 as usize..*n1 as usize])
            .map_err(|_| HeadError::Field("field name"))?;
        let value = HeaderValue::from_maybe_shared(bytes.slice(*v0 as usize..*v1 as usize))
            .map_err(|_| HeadError::Field("field value"))?;
        seen.note(&name);
        headers.append(name, value);
    }
    let status = StatusCode::from_u16(code).map_err(|_| HeadError::Field("status code"))?;
    let version = if minor == 0 {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };

    let mut keep_alive = if version == Version::HTTP_10 {
        seen.connection && has_token(&headers, CONNECTION, "keep-alive")
    } else {
        !(seen.connection && has_token(&headers, CONNECTION, "close"))
    };
    let framing = if to_head
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
    {
        Framing::Empty
    } else if seen.transfer_encoding {
        // Transfer-Encoding overrides Content-Length; a message with both may be
        // an attempt at smuggling, so its connection is not reused.
        if headers.remove(CONTENT_LENGTH).is_some() {
            keep_alive = false;
        }
        if last_coding_is_chunked(&headers) {
            Framing::Chunked
        } else {
            Framing::UntilClose
        }
    } else if seen.content_length {
        Framing::Length(content_length(&headers).ok_or(HeadError::ContentLength)?)
    } else {
        Framing::UntilClose
    };
    if framing == Framing::UntilClose {
        keep_alive = false;
    }

    let mut response = Response::new(());
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    Ok(Some(Head {
        response,
        framing,
        keep_alive,
    }))
}

/// Which framing fields a head carries.
#[derive(Default)]
struct Framed {
    connection: bool,
    transfer_encoding: bool,
    content_length: bool,
}

impl Framed {
    fn note(&mut self, name: &HeaderName) {
        // Standard names compare as an enum tag, not as bytes.
        if name == CONNECTION {
            self.connection = true;
        } else if name == TRANSFER_ENCODING {
            self.transfer_encoding = true;
        } else if name == CONTENT_LENGTH {
            self.content_length = true;
        }
    }
}

fn last_coding_is_chunked(headers: &HeaderMap) -> bool {
    headers
        .get_all(TRANSFER_ENCODING)
        .iter()
        .next_back()
        .and_then(|v| v.as_bytes().rsplit(|b| *b == b',').next())
        .is_some_and(|t| t.trim_ascii().eq_ignore_ascii_case(b"chunked"))
}

/// The `Content-Length`: every value (and list element) the same number.
pub(super) fn content_length(headers: &HeaderMap) -> Option<u64> {
    let mut length = None;
    for part in headers
        .get_all(CONTENT_LENGTH)
        .iter()
        .flat_map(|v| v.as_bytes().split(|b| *b == b','))
    {
        let part = part.trim_ascii();
        if part.is_empty() || part.len() > 19 || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = part.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        if length.is_some_and(|l| l != n) {
            return None;
        }
        length = Some(n);
    }
    length
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(text: &str, to_head: bool) -> Result<Option<Head>, HeadError> {
        parse_head(&mut BytesMut::from(text), to_head)
    }

    fn framing(text: &str) -> (Framing, bool) {
        let head = parse(text, false).unwrap().unwrap();
        (head.framing, head.keep_alive)
    }

    #[test]
    fn a_head_is_parsed_and_taken_out_of_the_buffer() {
        let mut buf = BytesMut::from(
            "HTTP/1.1 201 Created\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 2\r\n\r\nokNEXT",
        );
        let head = parse_head(&mut buf, false).unwrap().unwrap();
        assert_eq!(head.response.status(), StatusCode::CREATED);
        assert_eq!(head.response.version(), Version::HTTP_11);
        let all: Vec<_> = head.response.headers().get_all("x-a").iter().collect();
        assert_eq!(all, ["1", "2"]);
        assert_eq!(head.framing, Framing::Length(2));
        assert!(head.keep_alive);
        assert_eq!(&buf[..], b"okNEXT");
    }

    #[test]
    fn an_incomplete_head_waits_for_more() {
        assert!(
            parse("HTTP/1.1 200 OK\r\nContent-Le", false)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn framing_follows_rfc_9112() {
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"),
            (Framing::Length(5), true)
        );
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\ncontent-length: 5, 5\r\n\r\n"),
            (Framing::Length(5), true)
        );
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"),
            (Framing::Chunked, true)
        );
        assert_eq!(
            framing(
                "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\ncontent-length: 3\r\n\r\n"
            ),
            (Framing::Chunked, false)
        );
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n"),
            (Framing::UntilClose, false)
        );
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\n\r\n"),
            (Framing::UntilClose, false)
        );
        assert_eq!(
            framing("HTTP/1.1 204 No Content\r\ncontent-length: 9\r\n\r\n"),
            (Framing::Empty, true)
        );
        assert_eq!(
            framing("HTTP/1.1 304 Not Modified\r\n\r\n"),
            (Framing::Empty, true)
        );
        assert_eq!(
            framing("HTTP/1.1 100 Continue\r\n\r\n"),
            (Framing::Empty, true)
        );
        let head = parse("HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n", true)
            .unwrap()
            .unwrap();
        assert_eq!(head.framing, Framing::Empty);
    }

    #[test]
    fn connection_reuse_follows_the_version_and_connection() {
        assert!(!framing("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n").1);
        assert!(!framing("HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n").1);
        assert!(
            framing("HTTP/1.0 200 OK\r\nconnection: Keep-Alive\r\ncontent-length: 0\r\n\r\n").1
        );
    }

    #[test]
    fn bad_heads_are_refused() {
        assert!(matches!(
            parse("HTTP/1.1 200 OK\r\ncontent-length: 1, 2\r\n\r\n", false),
            Err(HeadError::ContentLength)
        ));
        assert!(matches!(
            parse("HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n", false),
            Err(HeadError::ContentLength)
        ));
        assert!(matches!(
            parse(
                "HTTP/1.1 200 OK\r\ncontent-length: 99999999999999999999\r\n\r\n",
                false
            ),
            Err(HeadError::ContentLength)
        ));
        assert!(matches!(
            parse("HTTP/1.1 2000 OK\r\n\r\n", false),
            Err(HeadError::Syntax(_))
        ));
        assert!(matches!(
            parse("SSH-2.0-OpenSSH\r\n\r\n", false),
            Err(HeadError::Syntax(_))
        ));
        let many = format!(
            "HTTP/1.1 200 OK\r\n{}\r\n",
            "x: y\r\n".repeat(MAX_FIELDS + 1)
        );
        assert!(matches!(
            parse(&many, false),
            Err(HeadError::Syntax(httparse::Error::TooManyHeaders))
        ));
        let long = format!("HTTP/1.1 200 OK\r\nx: {}", "y".repeat(MAX_HEAD + 1));
        assert!(matches!(parse(&long, false), Err(HeadError::TooLarge)));
    }
}
