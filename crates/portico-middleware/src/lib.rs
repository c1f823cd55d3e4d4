//! Traefik's HTTP middlewares and Portico's entrypoint layers, each a reusable
//! [`tower::Layer`].
//!
//! Layers take plain typed arguments and know nothing of Portico's configuration
//! crate; the router maps configuration to layers in one place. Every layer works on
//! `http::Request<B>`/`http::Response<B>` for any body, so it can be used in any
//! tower or axum stack.
//!
//! Entrypoint layers (run before routing, in this order):
//! - [`entry_path`]: Traefik's request-path pipeline (percent-encoding normalization,
//!   dot-segment sanitizing, `;` in queries), `400` for malformed escapes;
//! - [`forwarded_headers`]: drops `X-Forwarded-*`/`X-Real-Ip` from untrusted clients,
//!   then sets `X-Forwarded-Proto/Host/Port/Server` and `X-Real-Ip`.

pub mod entry_path;
pub mod forwarded_headers;
mod future;

pub use self::future::ResponseFuture;
