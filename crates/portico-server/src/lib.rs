//! Entrypoints: named listeners, each its own accept loop through axum-server.
//!
//! An [`EntryPoint`] is bound from its [`EntryPointSpec`](portico_config::model::EntryPointSpec)
//! and then served with a router service; every request goes through the entrypoint
//! stack ([`EntryStack`]: path pipeline, forwarded headers) before the router.
//!
//! Per connection: HTTP/1.1 with keep-alive, HTTP/2 with prior knowledge or by
//! `Upgrade: h2c`, Traefik's `respondingTimeouts` enforced without a timer per
//! request (`readTimeout` also bounds slow request heads and bodies), `431` for
//! oversized heads and `400` for malformed requests (both answered by hyper).
//! Shutdown follows `lifeCycle` ([`RunningEntryPoint::shutdown`]).

mod bind;
mod conn;
mod entrypoint;
mod h2c;
mod watchdog;

pub use self::{
    bind::{BindError, bind, bind_with},
    entrypoint::{EntryPoint, EntryStack, RunningEntryPoint},
};
