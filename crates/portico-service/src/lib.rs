//! Traefik's HTTP service kinds, each a `tower::Service<HttpRequest>`.
//!
//! - [`ServiceHealth`]: whether a service can take requests, shared with the
//!   services above it (a weighted service follows its children).
//! - [`StickyCookie`]: the session cookie of sticky load balancers and weighted
//!   services.
//! - [`LoadBalancer`]: Traefik's `loadBalancer` over servers, picked by a
//!   [`balancer::Strategy`] (smooth weighted round robin or power of two choices),
//!   with sticky cookies, [`ActiveHealthCheck`]s and [`PassiveHealthCheck`]s.
//! - Services of services, over children built by the router
//!   ([`portico_core::BoxHttpService`] with their [`ServiceHealth`]):
//!   [`Weighted`] (smooth weighted round robin, sticky), [`HighestRandomWeight`]
//!   (rendezvous hashing of the client IP), [`Mirroring`] (copies to
//!   [`Mirror`]s that never slow the main request) and [`Failover`] (fallback by
//!   health or by status).

pub mod balancer;
mod failover;
mod health;
mod hrw;
mod load_balancer;
mod mirroring;
mod sticky;
mod weighted;

pub use self::{
    failover::Failover,
    health::{ActiveHealthCheck, HealthCheckMode, HealthFlag, PassiveHealthCheck, ServiceHealth},
    hrw::HighestRandomWeight,
    load_balancer::{LoadBalancer, LoadBalancerBuilder, LoadBalancerError, ServerStatus},
    mirroring::{DEFAULT_MAX_BODY_BYTES, Mirror, Mirroring},
    sticky::{SameSite, StickyCookie, sticky_value},
    weighted::{Weighted, WeightedChild},
};
