//! Synthetic responses Portico writes itself (not found, errors, redirects).

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

use crate::{Body, HttpResponse};

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

/// A plain-text response with the given status and body.
///
/// # Example
///
/// ```
/// let r = portico_core::respond::text(http::StatusCode::BAD_REQUEST, "bad request");
/// assert_eq!(r.status(), 400);
/// ```
pub fn text(status: StatusCode, body: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(Body::from(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, TEXT_PLAIN);
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Traefik's answer when no router matches: `404 page not found`.
///
/// # Example
///
/// ```
/// assert_eq!(portico_core::respond::not_found().status(), 404);
/// ```
pub fn not_found() -> HttpResponse {
    text(StatusCode::NOT_FOUND, "404 page not found\n")
}

/// An empty-bodied response with only a status.
///
/// # Example
///
/// ```
/// assert_eq!(portico_core::respond::status(http::StatusCode::NO_CONTENT).status(), 204);
/// ```
pub fn status(status: StatusCode) -> HttpResponse {
    let mut response = HttpResponse::new(Body::empty());
    *response.status_mut() = status;
    response
}
