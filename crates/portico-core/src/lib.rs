//! Types shared by every layer of Portico's request path.
//!
//! - [`ConnectionInfo`]: what the entrypoint knows about the connection a request
//!   arrived on (peer and local address, entrypoint, TLS), carried in request
//!   extensions so routing, middlewares and forwarding read it without plumbing.
//! - [`Body`], [`HttpRequest`], [`HttpResponse`] and [`BoxHttpService`]: the one body
//!   type and the one type-erased service used at the dynamic boundary (routers and
//!   services built from configuration).
//! - [`ProxyError`]: every failure the data plane turns into a response, mapped to an
//!   HTTP status in exactly one place ([`ProxyError::status`]).
//!
//! # Example
//!
//! ```
//! use portico_core::{ProxyError, respond};
//! use http::StatusCode;
//!
//! let response = ProxyError::NoAvailableServer.into_response();
//! assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
//! assert_eq!(respond::not_found().status(), StatusCode::NOT_FOUND);
//! ```

mod conn;
mod drain;
mod error;
pub mod respond;
mod service;
mod tls;

pub use self::{
    conn::ConnectionInfo,
    drain::Drain,
    error::{BoxError, ErrorSide, FailureInfo, ProxyError},
    service::{Body, BoxHttpService, HttpRequest, HttpResponse, box_http_service},
    tls::TlsInfo,
};
