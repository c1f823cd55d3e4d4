//! HTTP services (`dynamic.Service` and its kinds).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::raw::Duration;
/// An HTTP service (`dynamic.Service`): exactly one kind is expected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    /// Load-balance over servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancer>,
    /// Weighted round robin over services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted: Option<Weighted>,
    /// Send to a service and copy requests to mirrors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirroring: Option<Mirroring>,
    /// Use a fallback service when the main one is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover: Option<Failover>,
    /// Rendezvous hashing over services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highest_random_weight: Option<HighestRandomWeight>,
}

/// A load balancer over servers (`dynamic.ServersLoadBalancer`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancer {
    /// Session stickiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sticky: Option<Sticky>,
    /// Servers (`servers: {}` reads as none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<Server>>,
    /// `wrr` (default), `p2c`, `hrw` or `leasttime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// Active health checks of the servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<ServerHealthCheck>,
    /// Passive health checks of the servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passive_health_check: Option<PassiveHealthCheck>,
    /// Forward the client's `Host` header (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_host_header: Option<bool>,
    /// How responses are forwarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_forwarding: Option<ResponseForwarding>,
    /// Transport name (default `default@internal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers_transport: Option<String>,
}

/// A server of a load balancer (`dynamic.Server`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Server {
    /// Server URL: `http://`, `https://` or `h2c://`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Weight (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    /// Keep the URL's path as a prefix (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preserve_path: Option<bool>,
}

/// Session stickiness (`dynamic.Sticky`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sticky {
    /// Cookie-based stickiness (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie: Option<Cookie>,
}

/// The stickiness cookie (`dynamic.Cookie`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cookie {
    /// Cookie name (default derived from the service name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Secure` attribute (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    /// `HttpOnly` attribute (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_only: Option<bool>,
    /// `SameSite` attribute: `none`, `lax` or `strict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_site: Option<String>,
    /// `Max-Age` in seconds (0: session cookie; negative: expire now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    /// `Path` attribute (default `/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `Domain` attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// Active health checks of servers (`dynamic.ServerHealthCheck`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServerHealthCheck {
    /// Scheme of the check (default: the server's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// `http` (default) or `grpc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Path requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Method (default `GET`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Expected status (default: any 2xx or 3xx).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// Port (default: the server's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// Time between checks of a healthy server (default 30s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// Time between checks of an unhealthy server (default: `interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unhealthy_interval: Option<Duration>,
    /// Timeout of a check (default 5s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// `Host` header of the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Follow redirects (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_redirects: Option<bool>,
    /// Headers sent with the check, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
}

/// Passive health checks of servers (`dynamic.PassiveServerHealthCheck`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PassiveHealthCheck {
    /// Window in which failures are counted (default 10s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_window: Option<Duration>,
    /// Failures in the window that mark a server down (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_failed_attempts: Option<i64>,
}

/// How responses are forwarded (`dynamic.ResponseForwarding`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResponseForwarding {
    /// Flush interval (default 100ms; negative: flush after every write).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flush_interval: Option<Duration>,
}

/// Weighted round robin over services (`dynamic.WeightedRoundRobin`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Weighted {
    /// Services and their weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<WeightedService>>,
    /// Session stickiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sticky: Option<Sticky>,
    /// Follow the children's health (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
}

/// A service reference with a weight (`dynamic.WRRService`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WeightedService {
    /// Service name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Weight (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
}

/// Rendezvous hashing over services (`dynamic.HighestRandomWeight`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HighestRandomWeight {
    /// Services and their weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<WeightedService>>,
    /// Follow the children's health (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
}

/// Mirroring (`dynamic.Mirroring`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Mirroring {
    /// Main service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Copy request bodies to mirrors (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_body: Option<bool>,
    /// Largest body copied, in bytes (default -1, unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_body_size: Option<i64>,
    /// Mirrors and their share of requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirrors: Option<Vec<MirrorService>>,
    /// Follow the main service's health (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
}

/// A mirror (`dynamic.MirrorService`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MirrorService {
    /// Service name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Percentage of requests copied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<i64>,
}

/// Failover (`dynamic.Failover`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Failover {
    /// Main service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Service used when the main one is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Follow the children's health (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// Responses that also trigger the fallback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FailoverErrors>,
}

/// Responses that trigger the fallback (`dynamic.FailoverError`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FailoverErrors {
    /// Status codes or ranges (`"500-504"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<String>>,
    /// Largest request body buffered for a retry (default -1, unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_request_body_bytes: Option<i64>,
}

/// Health propagation of a service of services (`dynamic.HealthCheck`): no options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HealthCheck {}
