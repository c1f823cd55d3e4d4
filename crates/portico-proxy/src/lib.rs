//! Forwarding requests to backends.
//!
//! - [`Target`]: one backend server, parsed from a service's `servers[].url`.
//! - [`Transport`]: the pooled hyper-util clients (HTTP/1.1 and h2c) with Traefik's
//!   `serversTransport` timeouts and pool limits. Shared by every service that uses the
//!   same transport, so connection pools survive configuration reloads.
//! - [`Forwarder`]: sends one request to one target: rewrites the URI, removes
//!   hop-by-hop headers, appends the client to `X-Forwarded-For`, keeps `Host`
//!   (`passHostHeader`), streams bodies both ways and splices upgrades (WebSocket).
//! - [`LoadBalancer`]: a service over several targets, picked by smooth weighted round
//!   robin ([`balancer::Wrr`]).
//!
//! Failures are [`portico_core::ProxyError`]s, answered by the one status mapping.
//!
//! # Example
//!
//! ```no_run
//! use portico_proxy::{Forwarder, LoadBalancer, Target, Transport, TransportSettings};
//! use std::sync::Arc;
//!
//! let transport = Transport::new(&TransportSettings::default());
//! let forwarder = Forwarder::new(transport).pass_host_header(true);
//! let servers = vec![
//!     (Arc::new(Target::parse("http://127.0.0.1:9001").unwrap()), 3),
//!     (Arc::new(Target::parse("http://127.0.0.1:9002").unwrap()), 1),
//! ];
//! let service = LoadBalancer::new(servers, forwarder);
//! // `service` is a `tower::Service<portico_core::HttpRequest>`; box it with
//! // `portico_core::box_http_service(service)` to put it behind a router.
//! # let _ = service;
//! ```

pub mod balancer;
mod forward;
mod headers;
mod load_balancer;
mod target;
mod transport;
mod upgrade;

pub use self::{
    forward::Forwarder,
    headers::{append_x_forwarded_for, remove_hop_by_hop},
    load_balancer::LoadBalancer,
    target::{Target, TargetError, UpstreamProtocol},
    transport::{Transport, TransportSettings},
};
