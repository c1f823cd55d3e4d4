//! Forwarding requests to backends.
//!
//! - [`Target`]: one backend server, parsed from a service's `servers[].url`.
//! - [`Transport`]: the pooled hyper-util clients (HTTP/1.1, h2c, and TLS with h2 by
//!   ALPN over rustls) with Traefik's `serversTransport` settings ([`TransportSettings`]:
//!   timeouts, pool limits, server name, roots, client certificates, versions, cipher
//!   suites, expected certificate names, HTTP/2 pings). Shared by every service that
//!   uses the same transport, so connection pools survive configuration reloads.
//! - [`Forwarder`]: sends one request to one target: rewrites the URI, removes
//!   hop-by-hop headers, appends the client to `X-Forwarded-For`, keeps `Host`
//!   (`passHostHeader`), streams bodies and trailers both ways without buffering,
//!   retries once a request whose pooled connection the backend had just closed, and
//!   splices upgrades (WebSocket). [`Forwarder::prepare`] and [`Forwarder::send`]
//!   split it in two, so that a caller's future holds a [`Prepared`] request, not
//!   the request.
//!
//! Choosing a target (load balancing, health checks, sticky sessions) is the
//! `portico-service` crate's job.
//!
//! Failures are [`portico_core::ProxyError`]s, answered by the one status mapping.
//!
//! # Example
//!
//! ```no_run
//! use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
//!
//! # async fn run(request: portico_core::HttpRequest) -> Result<(), Box<dyn std::error::Error>> {
//! let transport = Transport::new(&TransportSettings::default())?;
//! let forwarder = Forwarder::new(transport).pass_host_header(true);
//! let target = Target::parse("http://127.0.0.1:9001")?;
//! let response = forwarder.forward(request, &target).await?;
//! println!("{}", response.status());
//! # Ok(()) }
//! ```

mod forward;
mod headers;
mod retry;
mod target;
mod transport;
mod upgrade;

pub use self::{
    forward::{Forwarder, Prepared},
    headers::{append_x_forwarded_for, remove_hop_by_hop},
    target::{Target, TargetError, UpstreamProtocol},
    transport::{Transport, TransportError, TransportSettings},
};
