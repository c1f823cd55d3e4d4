//! Validated, typed configuration: what the rest of Portico runs on.
//!
//! Raw models ([`crate::raw`]) mirror Traefik's files; validation turns them into
//! these types, applying Traefik's defaults, parsing addresses, durations, networks
//! and rules, and resolving references. Nothing raw reaches the data plane.

mod acme;
mod address;
mod install;
mod kubernetes;
pub mod middleware;
mod routing;
mod service;
pub mod tls;
mod transport;

pub use self::acme::{
    AcmeResolverSpec, DnsChallengeSpec, DnsProviderKind, EabSpec, HttpChallengeSpec, KeyType,
    LETS_ENCRYPT_PRODUCTION, PropagationSpec, TlsChallengeSpec,
};
pub use self::{
    address::{AddressError, ListenAddress},
    install::{
        EntryPointHttp, EntryPointSpec, EntryPointTls, FileProviderSpec, ForwardedHeadersSpec,
        InstallModel, LifeCycle, LogFormat, LogSpec, ProvidersSpec, Redirect, RespondingTimeouts,
        TransportSpec,
    },
    kubernetes::{
        IngressEndpointSpec, KubernetesClientSpec, KubernetesCrdSpec, KubernetesIngressSpec,
    },
    routing::{QualifiedName, RouterSpec, RouterTls, RoutingModel, TlsDomain},
    service::{
        CookieSameSite, FailoverErrorsSpec, FailoverSpec, FlushInterval, HealthCheckMode,
        HealthCheckSpec, HighestRandomWeightSpec, LoadBalancerSpec, MirroringSpec,
        PassiveHealthCheckSpec, ServerSpec, ServiceSpec, StickyCookieSpec, Strategy, WeightedSpec,
    },
    transport::{ForwardingTimeoutsSpec, ServersTransportSpec},
};
