//! The routing ("dynamic") configuration: what providers produce and Portico
//! reloads while running (`dynamic.Configuration`).
//!
//! The structs mirror Traefik v3's `pkg/config/dynamic` and `pkg/tls` with
//! the same key names. Every field is an `Option`; validation applies
//! defaults and checks references. A middleware or a service is one struct
//! with an optional field per kind: validation checks that exactly one is set.

mod middleware;
mod router;
mod service;
mod tcp;
mod tls;
mod transport;
mod udp;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use self::middleware::{
    AddPrefix, BasicAuth, Buffering, Chain, CircuitBreaker, Compress, ContentType, DigestAuth,
    Errors, ForwardAuth, GrpcWeb, Headers, InFlightReq, IpAllowList, IpStrategy, IpWhiteList,
    Middleware, PassTlsClientCert, RateLimit, RateLimitRedis, RedirectRegex, RedirectScheme,
    ReplacePath, ReplacePathRegex, Retry, SourceCriterion, StripPrefix, StripPrefixRegex,
    TlsClientCertInfo, TlsClientCertIssuer, TlsClientCertSubject,
};
pub use self::router::{Router, RouterTls};
pub use self::service::{
    Cookie, Failover, FailoverErrors, HealthCheck, HighestRandomWeight, LoadBalancer,
    MirrorService, Mirroring, PassiveHealthCheck, ResponseForwarding, Server, ServerHealthCheck,
    Service, Sticky, Weighted, WeightedService,
};
pub use self::tcp::{
    TcpConfig, TcpHealthCheck, TcpInFlightConn, TcpIpAllowList, TcpLoadBalancer, TcpMiddleware,
    TcpProxyProtocol, TcpRouter, TcpRouterTls, TcpServer, TcpService, TcpWeighted,
};
pub use self::tls::{ClientAuth, GeneratedCert, TlsCertificate, TlsConfig, TlsOptions, TlsStore};
pub use self::transport::{
    ForwardingTimeouts, PeerCertSan, ServersTransport, TcpServersTransport, TcpTlsClientConfig,
};
pub use self::udp::{UdpConfig, UdpLoadBalancer, UdpRouter, UdpServer, UdpService, UdpWeighted};
/// A whole routing configuration, as one provider gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoutingConfig {
    /// HTTP routers, services, middlewares and transports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpConfig>,
    /// TCP routers, services, middlewares and transports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpConfig>,
    /// UDP routers and services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub udp: Option<UdpConfig>,
    /// Certificates, TLS options and certificate stores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsConfig>,
}

/// HTTP routing (`dynamic.HTTPConfiguration`). Map keys are names and keep their case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpConfig {
    /// Routers, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routers: Option<BTreeMap<String, Router>>,
    /// Services, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<BTreeMap<String, Service>>,
    /// Middlewares, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middlewares: Option<BTreeMap<String, Middleware>>,
    /// Transports towards servers, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers_transports: Option<BTreeMap<String, ServersTransport>>,
}
