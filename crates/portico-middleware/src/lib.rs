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

// --- request/response rewriting, redirects, authentication (issue 5, part A)
pub mod add_prefix;
pub mod basic_auth;
pub mod content_type;
pub mod digest_auth;
pub mod encoded_characters;
pub mod forward_auth;
pub mod grpc_web;
pub mod headers;
pub mod pass_tls_client_cert;
pub mod redirect_regex;
pub mod redirect_scheme;
pub mod replace_path;
pub mod replace_path_regex;
pub mod strip_prefix;
pub mod strip_prefix_regex;
mod uri_path;

// --- traffic control and resilience (issue 5, part B)
pub mod buffering;
pub mod circuit_breaker;
pub mod client_ip;
pub mod compress;
pub mod errors;
pub mod in_flight_req;
pub mod ip_allow_list;
pub mod rate_limit;
pub mod retry;

pub use self::future::ResponseFuture;
