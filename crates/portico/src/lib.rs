//! Portico: an edge router and reverse proxy that reads Traefik's configuration.
//!
//! This facade re-exports every building block, so a Rust program can assemble the
//! same stack in-process and put its own tower layers anywhere in it:
//!
//! | module | what it is |
//! |---|---|
//! | [`rules`] | Traefik's rule language: parse, match, priority-ordered route sets |
//! | [`config`] | raw Traefik schemas, parsing with key paths, validation into typed models |
//! | [`router`] | route tables per entrypoint and the router service that swaps them |
//! | [`proxy`] | forwarding to backends: pooled transport (backend TLS, h2c), headers, upgrades |
//! | [`service`] | Traefik's service kinds: load balancer (health checks, sticky), weighted, mirroring, failover |
//! | [`middleware`] | tower layers: entrypoint path pipeline, forwarded headers, Traefik middlewares |
//! | [`server`] | entrypoints: listeners, HTTP/1.1 + HTTP/2, timeouts, graceful drain |
//! | [`core`] | the body type, connection info, erased services, the error-to-status mapping |
//!
//! [`App`] runs the whole thing from an install model, as the `portico` binary does.
//!
//! # Example: Portico's router and forwarding behind your own layer
//!
//! ```no_run
//! use portico::{core::box_http_service, proxy, router, rules, server, service};
//! use portico::config::model::{EntryPointSpec, ListenAddress};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = proxy::Transport::new(&proxy::TransportSettings::default())?;
//! let backend = proxy::Target::parse("http://127.0.0.1:9000")?;
//! let balancer = service::LoadBalancer::builder("api", proxy::Forwarder::new(transport))
//!     .server(std::sync::Arc::new(backend), 1)
//!     .build()?;
//! let mut table = router::RouteTable::builder();
//! table.route("api", rules::Rule::parse("PathPrefix(`/api`)", rules::Syntax::V3)?, None, box_http_service(balancer));
//! let router = router::Router::new(table.build());
//! // Any tower layer can wrap the router here.
//! let stack = tower::ServiceBuilder::new().service(router);
//! let entrypoint = server::EntryPoint::bind(EntryPointSpec::new("web", ListenAddress::parse("127.0.0.1:8080")?))?;
//! let running = entrypoint.serve(stack);
//! running.shutdown().await;
//! # Ok(()) }
//! ```

mod app;
mod control;
mod providers;

pub use self::{
    app::{App, AppHandle, BoundApp, ReloadReport, StartError},
    providers::{ProviderError, load_routing},
};

pub use portico_config as config;
pub use portico_core as core;
pub use portico_middleware as middleware;
pub use portico_provider_kubernetes as kubernetes;
pub use portico_proxy as proxy;
pub use portico_router as router;
pub use portico_rules as rules;
pub use portico_server as server;
pub use portico_service as service;
