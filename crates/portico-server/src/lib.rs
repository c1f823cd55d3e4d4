//! Entrypoints: named listeners, each its own accept loop through axum-server.
//!
//! An [`EntryPoint`] is bound from its [`EntryPointSpec`](portico_config::model::EntryPointSpec)
//! and then served with a router service; every request goes through the entrypoint
//! stack ([`EntryStack`]: path pipeline, forwarded headers) before the router.
//!
//! With TLS ([`EntryPoint::serve_tls`]), the first byte of each connection says
//! whether it is TLS (then terminated with `portico-tls`, served by the HTTPS
//! router, `421` when `Host` and SNI select different TLS options) or plain HTTP
//! (served by the HTTP router, or redirected by `http.redirections`).
//!
//! Per connection: HTTP/1.1 with keep-alive, HTTP/2 with prior knowledge or by
//! `Upgrade: h2c`, HTTP/2 over TLS by ALPN, Traefik's `respondingTimeouts` enforced without a timer per
//! request (`readTimeout` also bounds slow request heads and bodies), `431` for
//! oversized heads and `400` for malformed requests (both answered by hyper).
//! Shutdown follows `lifeCycle` ([`RunningEntryPoint::shutdown`]).

mod bind;
mod conn;
mod entrypoint;
mod h2c;
mod stream;
mod watchdog;

pub use self::{
    bind::{BindError, bind, bind_with},
    entrypoint::{EntryPoint, EntryStack, RunningEntryPoint},
};
