//! The gRPC health checking protocol (`grpc.health.v1.Health/Check`), by hand.
//!
//! The request is an empty `HealthCheckRequest` (all services): the 5-byte frame
//! `00 00000000`. The answer passes when its HTTP status is 200, its `grpc-status`
//! is 0 and its `HealthCheckResponse.status` (field 1, varint) is `SERVING` (1).

use http::{
    HeaderMap, HeaderValue, Method, Request, StatusCode, Uri,
    header::{CONTENT_TYPE, TE},
};
use http_body_util::{BodyExt as _, Limited};
use portico_core::{Body, BoxError, HttpRequest, HttpResponse};

/// The health check method's path.
pub(crate) const CHECK_PATH: &str = "/grpc.health.v1.Health/Check";

/// `HealthCheckResponse.ServingStatus.SERVING`.
const SERVING: u64 = 1;

/// Largest answer read (a health answer is a few bytes).
const ANSWER_LIMIT: usize = 16 * 1024;

/// An empty `HealthCheckRequest` in a gRPC frame: not compressed, length 0.
static EMPTY_REQUEST: [u8; 5] = [0; 5];

/// Why a gRPC health answer fails.
#[derive(Debug, thiserror::Error)]
pub(crate) enum GrpcError {
    /// The HTTP status is not 200.
    #[error("grpc health check answered http status {0}")]
    HttpStatus(StatusCode),
    /// `grpc-status` is not 0.
    #[error("grpc health check failed with grpc-status {code} {message:?}")]
    Status {
        /// The `grpc-status` value.
        code: String,
        /// The `grpc-message` value, if any.
        message: String,
    },
    /// Neither trailers nor headers carry `grpc-status`.
    #[error("grpc health answer has no grpc-status")]
    MissingStatus,
    /// The answer cannot be decoded.
    #[error("grpc health answer is malformed: {0}")]
    Malformed(&'static str),
    /// The server answered, and is not serving.
    #[error("grpc health status is {0}, not SERVING")]
    NotServing(u64),
    /// Reading the answer failed.
    #[error("reading the grpc health answer failed")]
    Body(#[source] BoxError),
}

/// A `Check` request for every service (empty service name).
pub(crate) fn request() -> HttpRequest {
    let mut request = Request::new(Body::from(&EMPTY_REQUEST[..]));
    *request.method_mut() = Method::POST;
    *request.uri_mut() = Uri::from_static(CHECK_PATH);
    let headers = request.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    headers.insert(TE, HeaderValue::from_static("trailers"));
    request
}

/// Judges a `Check` answer.
pub(crate) async fn judge(response: HttpResponse) -> Result<(), GrpcError> {
    if response.status() != StatusCode::OK {
        return Err(GrpcError::HttpStatus(response.status()));
    }
    let (parts, body) = response.into_parts();
    // A trailers-only answer (an error) carries its status in the headers.
    if parts.headers.contains_key("grpc-status") {
        grpc_status(&parts.headers)?;
    }
    let collected = Limited::new(body, ANSWER_LIMIT)
        .collect()
        .await
        .map_err(GrpcError::Body)?;
    let trailers = collected.trailers().cloned();
    match trailers {
        Some(trailers) if trailers.contains_key("grpc-status") => grpc_status(&trailers)?,
        _ => grpc_status(&parts.headers)?,
    }
    let bytes = collected.to_bytes();
    let status = decode_answer(&bytes).map_err(GrpcError::Malformed)?;
    if status == SERVING {
        Ok(())
    } else {
        Err(GrpcError::NotServing(status))
    }
}

fn grpc_status(headers: &HeaderMap) -> Result<(), GrpcError> {
    let code = headers.get("grpc-status").ok_or(GrpcError::MissingStatus)?;
    if code.as_bytes() == b"0" {
        return Ok(());
    }
    let text = |v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
    Err(GrpcError::Status {
        code: text(code),
        message: headers.get("grpc-message").map(text).unwrap_or_default(),
    })
}

/// The `status` of the first message of a `Check` answer.
fn decode_answer(bytes: &[u8]) -> Result<u64, &'static str> {
    let (header, rest) = bytes
        .split_first_chunk::<5>()
        .ok_or("no message in the answer")?;
    if header[0] != 0 {
        return Err("compressed message");
    }
    let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    let message = rest.get(..len).ok_or("truncated message")?;
    decode_status(message)
}

/// Field 1 (varint) of a `HealthCheckResponse`; 0 (`UNKNOWN`) when absent. Other
/// fields are skipped by wire type.
fn decode_status(mut message: &[u8]) -> Result<u64, &'static str> {
    let mut status = 0;
    while !message.is_empty() {
        let key = varint(&mut message)?;
        match key & 7 {
            0 => {
                let value = varint(&mut message)?;
                if key >> 3 == 1 {
                    status = value;
                }
            }
            1 => skip(&mut message, 8)?,
            2 => {
                let len = usize::try_from(varint(&mut message)?).map_err(|_| "length overflow")?;
                skip(&mut message, len)?;
            }
            5 => skip(&mut message, 4)?,
            _ => return Err("unsupported wire type"),
        }
    }
    Ok(status)
}

fn varint(bytes: &mut &[u8]) -> Result<u64, &'static str> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (byte, rest) = bytes.split_first().ok_or("truncated varint")?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint too long")
}

fn skip(bytes: &mut &[u8], len: usize) -> Result<(), &'static str> {
    *bytes = bytes.get(len..).ok_or("truncated field")?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test panics on the unexpected
mod tests {
    use super::*;

    fn framed(message: &[u8]) -> Vec<u8> {
        let mut frame = vec![0];
        frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
        frame.extend_from_slice(message);
        frame
    }

    #[test]
    fn serving_and_other_statuses_decode() {
        assert_eq!(decode_answer(&framed(&[0x08, 0x01])), Ok(1));
        assert_eq!(decode_answer(&framed(&[0x08, 0x02])), Ok(2));
        assert_eq!(decode_answer(&framed(&[])), Ok(0));
        // Unknown fields of every wire type are skipped.
        let message = [
            0x12, 0x02, b'h', b'i', // field 2, bytes
            0x19, 1, 2, 3, 4, 5, 6, 7, 8, // field 3, fixed64
            0x25, 1, 2, 3, 4, // field 4, fixed32
            0x28, 0x96, 0x01, // field 5, varint 150
            0x08, 0x01,
        ];
        assert_eq!(decode_answer(&framed(&message)), Ok(1));
    }

    #[test]
    fn malformed_answers_are_refused() {
        assert!(decode_answer(&[]).is_err());
        assert!(decode_answer(&[0, 0, 0, 0, 9, 0x08]).is_err());
        assert!(decode_answer(&[1, 0, 0, 0, 2, 0x08, 0x01]).is_err());
        assert!(decode_answer(&framed(&[0x08])).is_err());
        assert!(decode_answer(&framed(&[0x0b])).is_err());
        assert!(
            decode_answer(&framed(&[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
            ]))
            .is_err()
        );
    }

    #[test]
    fn the_request_is_an_empty_frame() {
        let request = request();
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.uri(), CHECK_PATH);
        assert_eq!(request.headers()["content-type"], "application/grpc");
        assert_eq!(request.headers()["te"], "trailers");
        assert_eq!(EMPTY_REQUEST, [0, 0, 0, 0, 0]);
    }

    #[test]
    fn grpc_status_is_read_with_its_message() {
        let mut headers = HeaderMap::new();
        assert!(matches!(
            grpc_status(&headers),
            Err(GrpcError::MissingStatus)
        ));
        headers.insert("grpc-status", HeaderValue::from_static("0"));
        assert!(grpc_status(&headers).is_ok());
        headers.insert("grpc-status", HeaderValue::from_static("12"));
        headers.insert("grpc-message", HeaderValue::from_static("unimplemented"));
        let err = grpc_status(&headers).unwrap_err();
        assert_eq!(
            err.to_string(),
            "grpc health check failed with grpc-status 12 \"unimplemented\""
        );
    }
}
