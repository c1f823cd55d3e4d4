//! `/data` (a streamed body of a requested size) and `/bench` (the smallest answer).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::{
    body::Body,
    http::{HeaderValue, Uri, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::MAX_DATA_BYTES;
use crate::params::{ParamError, Params, unit_bytes};

/// Size of the frames `/data` sends.
const CHUNK: usize = 16 * 1024;

/// The bytes `/data` repeats: the alphabet, over and over.
static PATTERN: [u8; CHUNK] = pattern();

/// A body of `remaining` bytes taken from [`PATTERN`], produced as the peer reads it.
#[derive(Debug)]
pub(crate) struct DataBody {
    remaining: u64,
}

/// `GET /bench`: `1`.
pub(crate) async fn bench() -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
        "1",
    )
        .into_response()
}

/// `GET /data?size=N&unit=KB[&attachment=true]`: `N` units of bytes (1 byte by default).
pub(crate) async fn data(uri: Uri) -> Result<Response, ParamError> {
    let params = Params::from_uri(&uri)?;
    let len = size(&params)?;
    let mut response = Body::new(DataBody::new(len)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if params.flag("attachment") {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"data.txt\""),
        );
    }
    Ok(response)
}

/// `size` times `unit`, at most [`MAX_DATA_BYTES`].
pub(crate) fn size(params: &Params) -> Result<u64, ParamError> {
    let count = params.number_or("size", 1, u64::MAX)?;
    let unit = unit_bytes(params.get("unit").unwrap_or_default())?;
    match count.checked_mul(unit) {
        Some(len) if len <= MAX_DATA_BYTES => Ok(len),
        _ => Err(ParamError::DataTooLarge(format!(
            "{}{}",
            params.get("size").unwrap_or_default(),
            params.get("unit").unwrap_or_default()
        ))),
    }
}

const fn pattern() -> [u8; CHUNK] {
    let mut bytes = [0u8; CHUNK];
    let mut i = 0;
    while i < CHUNK {
        bytes[i] = b'A' + (i % 26) as u8;
        i += 1;
    }
    bytes
}

// === impl DataBody ===

impl DataBody {
    pub(crate) fn new(len: u64) -> Self {
        Self { remaining: len }
    }
}

impl http_body::Body for DataBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let len = usize::try_from(this.remaining).map_or(CHUNK, |remaining| remaining.min(CHUNK));
        this.remaining -= len as u64;
        let chunk = Bytes::from_static(&PATTERN).slice(..len);
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
