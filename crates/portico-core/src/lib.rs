//! Types shared by every layer of Portico's request path.
//!
//! - [`ConnectionInfo`]: what the entrypoint knows about the connection a request
//!   arrived on (peer and local address, entrypoint, TLS), carried in request
//!   extensions so routing, middlewares and forwarding read it without plumbing.
//! - [`Body`], [`HttpRequest`], [`HttpResponse`] and [`BoxHttpService`]: the one body
//!   type and the one type-erased service used at the dynamic boundary (routers and
//!   services built from configuration).
//! - [`BufferedBody`] and [`collect_up_to`]: bodies read into memory within a limit,
//!   to be replayed (retry, mirroring, failover) or inspected (compress, buffering).
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

mod buffered;
mod conn;
mod drain;
mod error;
pub mod respond;
mod service;
mod tls;

pub use self::{
    buffered::{BufferedBody, Collected, collect_up_to},
    conn::ConnectionInfo,
    drain::Drain,
    error::{BoxError, ErrorSide, FailureInfo, ProxyError},
    service::{Body, BoxHttpService, HttpRequest, HttpResponse, box_http_service},
    tls::TlsInfo,
};
