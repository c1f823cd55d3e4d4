//! `/health`: a status code that `POST` sets and every other method answers with.

use std::sync::atomic::Ordering;

use axum::{
    extract::{Request, State},
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
};

use crate::Whoami;
use crate::params::ParamError;

/// Largest `POST /health` body read: a status code with some whitespace.
const MAX_BODY: usize = 64;

/// `POST /health` with a body such as `503` sets the status; other methods answer with it
/// and its reason phrase as body (`200 OK` at start).
pub(crate) async fn health(
    State(whoami): State<Whoami>,
    request: Request,
) -> Result<Response, ParamError> {
    let health = &whoami.inner.health;
    if request.method() != Method::POST {
        let status = StatusCode::from_u16(health.load(Ordering::Relaxed)).unwrap_or(StatusCode::OK);
        return Ok((status, reason(status)).into_response());
    }
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY)
        .await
        .map_err(|_| ParamError::BodyTooLarge(MAX_BODY))?;
    let text = String::from_utf8_lossy(&body);
    let status = final_status(text.trim())?;
    health.store(status.as_u16(), Ordering::Relaxed);
    tracing::info!(status = status.as_u16(), "whoami health status changed");
    Ok(format!("health status set to {}\n", status.as_u16()).into_response())
}

/// Parses a status code a response can carry as its final status: 200 to 599.
///
/// Informational codes (1xx) are refused: hyper cannot send one as a final response and
/// would answer `500` instead.
pub(crate) fn final_status(text: &str) -> Result<StatusCode, ParamError> {
    text.parse::<u16>()
        .ok()
        .filter(|code| (200..=599).contains(code))
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or_else(|| ParamError::Status(text.to_owned()))
}

/// The reason phrase of `status`, or its number when it has none.
pub(crate) fn reason(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{reason}\n"),
        None => format!("{}\n", status.as_u16()),
    }
}
