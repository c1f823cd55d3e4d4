//! Validated, typed configuration: what the rest of Portico runs on.
//!
//! Raw models ([`crate::raw`]) mirror Traefik's files; validation turns them into
//! these types, applying Traefik's defaults, parsing addresses, durations, networks
//! and rules, and resolving references. Nothing raw reaches the data plane.

mod address;
mod install;
pub mod middleware;
mod routing;
pub mod tls;

pub use self::{
    address::{AddressError, ListenAddress},
    install::{
        EntryPointHttp, EntryPointSpec, EntryPointTls, FileProviderSpec, ForwardedHeadersSpec,
        InstallModel, LifeCycle, LogFormat, LogSpec, ProvidersSpec, Redirect, RespondingTimeouts,
        TransportSpec,
    },
    routing::{
        LoadBalancerSpec, QualifiedName, RouterSpec, RouterTls, RoutingModel, ServerSpec,
        ServiceSpec, TlsDomain,
    },
};
