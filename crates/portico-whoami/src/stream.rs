//! `/status/{code}` and `/sse`: chosen statuses and a bounded event stream.

use std::convert::Infallible;
use std::time::Duration;

use axum::{
    extract::Path,
    http::Uri,
    response::{
        IntoResponse, Response,
        sse::{Event, Sse},
    },
};
use futures_util::stream;

use crate::MAX_SSE_EVENTS;
use crate::health::{final_status, reason};
use crate::params::{ParamError, Params};

/// Events `/sse` sends when `count` is not given.
const DEFAULT_EVENTS: u64 = 10;

/// Time between events when `interval` is not given.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// `ANY /status/{code}`: answers `code` (200..=599) with its reason phrase as body.
pub(crate) async fn status(Path(code): Path<String>) -> Result<Response, ParamError> {
    let status = final_status(&code)?;
    Ok((status, reason(status)).into_response())
}

/// `GET /sse?count=N&interval=100ms`: `N` events `tick` with ids and data `0`, `1`, ...; the
/// first at once, the next ones `interval` apart, then the stream ends.
pub(crate) async fn sse(uri: Uri) -> Result<Response, ParamError> {
    let params = Params::from_uri(&uri)?;
    let count = params.number_or("count", DEFAULT_EVENTS, MAX_SSE_EVENTS)?;
    let interval = params.duration_or("interval", DEFAULT_INTERVAL)?;
    let events = stream::unfold(0_u64, move |n| async move {
        if n >= count {
            return None;
        }
        if n > 0 {
            tokio::time::sleep(interval).await;
        }
        let event = Event::default()
            .event("tick")
            .id(n.to_string())
            .data(n.to_string());
        Some((Ok::<_, Infallible>(event), n + 1))
    });
    Ok(Sse::new(events).into_response())
}
