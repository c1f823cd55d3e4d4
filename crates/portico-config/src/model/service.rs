//! Validated HTTP services (`http.services.<name>`): every kind Traefik v3 has.
//!
//! A [`ServiceSpec`] is one of a load balancer over servers, or a service of
//! services (weighted, mirroring, failover, highest random weight). References to
//! other services and to `serversTransports` are qualified (`name@provider`);
//! whether they exist, and whether they form a cycle, is checked once every
//! provider's model is merged ([`crate::validate::service_graph`]).

mod health;
mod sticky;

use std::{ops::RangeInclusive, time::Duration};

use super::QualifiedName;

pub use self::{
    health::{HealthCheckMode, HealthCheckSpec, PassiveHealthCheckSpec},
    sticky::{CookieSameSite, StickyCookieSpec},
};

/// A valid HTTP service (`http.services.<name>`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "built once per reload and kept in a map; boxing would only add noise to every match"
)]
pub enum ServiceSpec {
    /// `loadBalancer`: servers.
    LoadBalancer(LoadBalancerSpec),
    /// `weighted`: weighted round robin over services.
    Weighted(WeightedSpec),
    /// `mirroring`: a main service, with copies of requests sent to mirrors.
    Mirroring(MirroringSpec),
    /// `failover`: a main service, and a fallback used while it is down.
    Failover(FailoverSpec),
    /// `highestRandomWeight`: rendezvous hashing of the client IP over services.
    HighestRandomWeight(HighestRandomWeightSpec),
}

/// `loadBalancer`.
///
/// # Example
///
/// ```
/// use portico_config::model::{FlushInterval, LoadBalancerSpec, Strategy};
///
/// let lb = LoadBalancerSpec::default();
/// assert_eq!(lb.strategy, Strategy::Wrr);
/// assert!(lb.pass_host_header);
/// assert_eq!(lb.flush_interval, FlushInterval::Every(std::time::Duration::from_millis(100)));
/// assert!(lb.servers_transport.is_none(), "the default transport");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadBalancerSpec {
    /// `servers` (may be empty: the service then answers 503).
    pub servers: Vec<ServerSpec>,
    /// `strategy` (default `wrr`).
    pub strategy: Strategy,
    /// `passHostHeader` (default true).
    pub pass_host_header: bool,
    /// `sticky.cookie`: session stickiness, when set.
    pub sticky: Option<StickyCookieSpec>,
    /// `healthCheck`: active health checks, when set.
    pub health_check: Option<HealthCheckSpec>,
    /// `passiveHealthCheck`: passive health checks, when set.
    pub passive_health_check: Option<PassiveHealthCheckSpec>,
    /// `responseForwarding.flushInterval` (default 100ms).
    pub flush_interval: FlushInterval,
    /// `serversTransport`, qualified; `None` is the default transport
    /// (`default@internal`, from the install configuration).
    pub servers_transport: Option<QualifiedName>,
}

/// One `servers[]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSpec {
    /// `url`, trimmed, never empty (`http://`, `https://` or `h2c://`; its syntax is
    /// checked when the service is built).
    pub url: String,
    /// `weight` (default 1).
    pub weight: u32,
    /// `preservePath` (default false).
    pub preserve_path: bool,
}

/// `loadBalancer.strategy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// `wrr`: smooth weighted round robin (the default).
    #[default]
    Wrr,
    /// `p2c`: power of two random choices, least in-flight requests wins.
    P2c,
}

/// `responseForwarding.flushInterval`: how often buffered response bytes are
/// flushed to the client. Streaming responses (server-sent events, gRPC, bodies of
/// unknown length) are flushed as they arrive whatever this says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlushInterval {
    /// Flush at this interval (default 100ms). Zero: no periodic flush (Go's
    /// `ReverseProxy` semantics).
    Every(Duration),
    /// A negative value: flush after every write.
    EveryWrite,
}

/// `weighted`: weighted round robin over services.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeightedSpec {
    /// `services[]`: qualified names and weights (default 1).
    pub services: Vec<(QualifiedName, u32)>,
    /// `sticky.cookie`: session stickiness, when set.
    pub sticky: Option<StickyCookieSpec>,
    /// `healthCheck: {}`: follow the children's health (and report it upwards).
    pub health_check: bool,
}

/// `mirroring`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirroringSpec {
    /// `service`: the main service, whose response the client gets.
    pub service: QualifiedName,
    /// `mirrors[]`: services and the percentage of requests copied to each (0 to 100).
    pub mirrors: Vec<(QualifiedName, u8)>,
    /// `mirrorBody` (default true): copy request bodies to mirrors.
    pub mirror_body: bool,
    /// `maxBodySize`: bodies larger than this are not mirrored; `None` (Traefik's
    /// default -1) means no limit.
    pub max_body_size: Option<u64>,
    /// `healthCheck: {}`: follow the main service's health.
    pub health_check: bool,
}

/// `failover`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailoverSpec {
    /// `service`: used while it is up.
    pub service: QualifiedName,
    /// `fallback`: used while `service` is down.
    pub fallback: QualifiedName,
    /// `healthCheck: {}`: follow the children's health (and report it upwards).
    pub health_check: bool,
    /// `errors`: responses of `service` that also send the request to `fallback`.
    pub errors: Option<FailoverErrorsSpec>,
}

/// `failover.errors`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FailoverErrorsSpec {
    /// `status`: codes and ranges (`"500"`, `"502-504"`).
    pub status: Vec<RangeInclusive<u16>>,
    /// `maxRequestBodyBytes`: the largest request body kept to replay on the
    /// fallback; `None` (Traefik's default -1) means no limit.
    pub max_request_body_bytes: Option<u64>,
}

/// `highestRandomWeight`: rendezvous hashing of the client IP over services.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HighestRandomWeightSpec {
    /// `services[]`: qualified names and weights (default 1).
    pub services: Vec<(QualifiedName, u32)>,
    /// `healthCheck: {}`: follow the children's health (and report it upwards).
    pub health_check: bool,
}

// === impl ServiceSpec ===

impl ServiceSpec {
    /// The services this one sends requests to, in configuration order (a name
    /// may repeat).
    ///
    /// # Example
    ///
    /// ```
    /// use portico_config::model::{QualifiedName, ServiceSpec, WeightedSpec};
    ///
    /// let spec = ServiceSpec::Weighted(WeightedSpec {
    ///     services: vec![(QualifiedName::new("a", "file"), 1), (QualifiedName::new("b", "docker"), 3)],
    ///     ..Default::default()
    /// });
    /// let children: Vec<&str> = spec.children().iter().map(|q| q.as_str()).collect();
    /// assert_eq!(children, ["a@file", "b@docker"]);
    /// ```
    pub fn children(&self) -> Vec<&QualifiedName> {
        match self {
            ServiceSpec::LoadBalancer(_) => Vec::new(),
            ServiceSpec::Weighted(WeightedSpec { services, .. })
            | ServiceSpec::HighestRandomWeight(HighestRandomWeightSpec { services, .. }) => {
                services.iter().map(|(q, _)| q).collect()
            }
            ServiceSpec::Mirroring(m) => std::iter::once(&m.service)
                .chain(m.mirrors.iter().map(|(q, _)| q))
                .collect(),
            ServiceSpec::Failover(f) => vec![&f.service, &f.fallback],
        }
    }

    /// The kind's name in Traefik's configuration (`loadBalancer`, `weighted`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            ServiceSpec::LoadBalancer(_) => "loadBalancer",
            ServiceSpec::Weighted(_) => "weighted",
            ServiceSpec::Mirroring(_) => "mirroring",
            ServiceSpec::Failover(_) => "failover",
            ServiceSpec::HighestRandomWeight(_) => "highestRandomWeight",
        }
    }
}

// === impl LoadBalancerSpec ===

impl Default for LoadBalancerSpec {
    /// No servers, every option at Traefik's default.
    fn default() -> Self {
        LoadBalancerSpec {
            servers: Vec::new(),
            strategy: Strategy::Wrr,
            pass_host_header: true,
            sticky: None,
            health_check: None,
            passive_health_check: None,
            flush_interval: FlushInterval::default(),
            servers_transport: None,
        }
    }
}

// === impl ServerSpec ===

impl ServerSpec {
    /// A server at `url` with weight 1, path not preserved.
    pub fn new(url: impl Into<String>) -> ServerSpec {
        ServerSpec {
            url: url.into(),
            weight: 1,
            preserve_path: false,
        }
    }
}

// === impl Strategy ===

impl Strategy {
    /// Traefik's name (`wrr`, `p2c`).
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Wrr => "wrr",
            Strategy::P2c => "p2c",
        }
    }
}

// === impl FlushInterval ===

impl FlushInterval {
    /// Traefik's default: every 100ms.
    pub const DEFAULT: FlushInterval = FlushInterval::Every(Duration::from_millis(100));
}

impl Default for FlushInterval {
    fn default() -> Self {
        FlushInterval::DEFAULT
    }
}
