//! Traefik's `loadBalancer` service: servers, a strategy, sticky sessions and
//! health checks.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use http::header::SET_COOKIE;
use portico_core::{Body, ErrorSide, HttpRequest, HttpResponse, ProxyError};
use portico_proxy::{Forwarder, Target, TargetError};
use tokio::runtime::Handle;
use tower::Service;

use crate::{
    ActiveHealthCheck, PassiveHealthCheck, ServiceHealth, StickyCookie,
    balancer::{P2c, Strategy, Wrr},
    health::ActiveChecks,
};

mod body;
mod pool;
mod sticky;
#[cfg(test)]
mod tests;

use self::pool::InFlight;
pub(crate) use self::pool::{Cause, Pool};
use self::{body::InFlightBody, sticky::Sticky};

/// A load-balanced service (`loadBalancer`): picks a server, forwards the request
/// to it with a [`Forwarder`], and answers failures with responses (the service
/// never fails).
///
/// - **Strategy**: [`Strategy::Wrr`] (smooth weighted round robin; weight 0 is
///   never picked) or [`Strategy::P2c`] (two random servers, fewer in-flight
///   requests wins; see [`crate::balancer::P2c`] for how weights count).
/// - **Health**: a server out of rotation (failed [`ActiveHealthCheck`], ejected
///   by a [`PassiveHealthCheck`]) is skipped by every strategy and by sticky
///   cookies. Servers start in rotation, as in Traefik, until a check says
///   otherwise. With no server in rotation the answer is `503 no available server`.
///   [`LoadBalancer::health`] is up while any server is in rotation.
/// - **Sticky sessions**: with a [`StickyCookie`], a request whose cookie names a
///   server in rotation goes to it; otherwise the strategy picks and the response
///   sets the cookie to [`crate::sticky_value`] of the server URL. A cookie holding
///   the raw URL (Traefik v2), its FNV-1 hash (Traefik v3.0 to v3.2) or the FNV-1
///   of that hash is honoured and rewritten, as Traefik does.
///
/// Cloning is cheap: clones share servers, state and health checks. The probe
/// tasks stop when the last clone is dropped, so a router rebuilt on reload keeps
/// a service's health state by keeping (cloning) its `LoadBalancer`.
///
/// # Example
///
/// ```no_run
/// use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
/// use portico_service::{ActiveHealthCheck, LoadBalancer, StickyCookie, balancer::Strategy};
/// use std::sync::Arc;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let forwarder = Forwarder::new(Transport::new(&TransportSettings::default())?);
/// let lb = LoadBalancer::builder("api@file", forwarder)
///     .server(Arc::new(Target::parse("http://127.0.0.1:9001")?), 3)
///     .server(Arc::new(Target::parse("http://127.0.0.1:9002")?), 1)
///     .strategy(Strategy::Wrr)
///     .sticky(Some(StickyCookie::new("lb").http_only(true)))
///     .health_check(Some(ActiveHealthCheck {
///         path: "/health".parse()?,
///         ..ActiveHealthCheck::default()
///     }))
///     .build()?;
/// assert!(lb.health().is_up());
/// // `lb` is a `tower::Service<HttpRequest>`; box it with
/// // `portico_core::box_http_service(lb)` to put it behind a router.
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    inner: Arc<Inner>,
}

/// Builds a [`LoadBalancer`]; see [`LoadBalancer::builder`].
#[derive(Debug)]
pub struct LoadBalancerBuilder {
    name: Arc<str>,
    forwarder: Forwarder,
    servers: Vec<(Arc<Target>, u32)>,
    strategy: Strategy,
    sticky: Option<StickyCookie>,
    active: Option<ActiveHealthCheck>,
    passive: Option<PassiveHealthCheck>,
}

/// A load balancer that cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum LoadBalancerError {
    /// Active health checks run as tokio tasks, and none can be spawned here.
    #[error("health checks of service {service:?} need a tokio runtime")]
    NoRuntime {
        /// The service's name.
        service: String,
    },
    /// The scheme or port override of the health check gives an unusable URL.
    #[error("cannot health check server {url:?}")]
    ProbeTarget {
        /// The server's URL.
        url: String,
        /// Why.
        #[source]
        source: TargetError,
    },
}

/// One server of a [`LoadBalancer`] and whether it is in rotation, for status
/// pages and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerStatus {
    /// The server.
    pub target: Arc<Target>,
    /// Its weight.
    pub weight: u32,
    /// Whether it takes requests (health checks pass).
    pub up: bool,
}

#[derive(Debug)]
struct Inner {
    pool: Arc<Pool>,
    picker: Picker,
    sticky: Option<Sticky>,
    forwarder: Forwarder,
    health: ServiceHealth,
    /// Stops the probe loops when the last clone goes.
    _checks: Option<ActiveChecks>,
}

#[derive(Debug)]
enum Picker {
    Wrr(Wrr),
    P2c(P2c),
}

// === impl LoadBalancer ===

impl LoadBalancer {
    /// A builder for the service `name` (used in logs) forwarding with `forwarder`.
    pub fn builder(name: impl Into<Arc<str>>, forwarder: Forwarder) -> LoadBalancerBuilder {
        LoadBalancerBuilder {
            name: name.into(),
            forwarder,
            servers: Vec::new(),
            strategy: Strategy::default(),
            sticky: None,
            active: None,
            passive: None,
        }
    }

    /// Whether the service can take requests, for the services above it: up while
    /// any server with a positive weight is in rotation. Without any health check
    /// it is always up (down if no server has a positive weight).
    pub fn health(&self) -> ServiceHealth {
        self.inner.health.clone()
    }

    /// The service's name.
    pub fn name(&self) -> &str {
        self.inner.pool.service()
    }

    /// Every server, in configuration order, with its state.
    pub fn statuses(&self) -> Vec<ServerStatus> {
        let pool = &self.inner.pool;
        pool.servers()
            .iter()
            .enumerate()
            .map(|(i, s)| ServerStatus {
                target: s.target.clone(),
                weight: s.weight,
                up: pool.in_rotation(i),
            })
            .collect()
    }
}

impl Service<HttpRequest> for LoadBalancer {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let inner = self.inner.clone();
        // The server is chosen and the request prepared here, so that the future
        // holds the prepared exchange and not the request (see `Forwarder::prepare`).
        let Some((index, set_cookie)) = inner.choose(&request) else {
            return Box::pin(std::future::ready(Ok(
                ProxyError::NoAvailableServer.into_response()
            )));
        };
        let in_flight = matches!(inner.picker, Picker::P2c(_)).then(|| inner.pool.start(index));
        let prepared = inner
            .forwarder
            .prepare(request, &inner.pool.server(index).target);
        Box::pin(async move {
            let target = &inner.pool.server(index).target;
            let result = match prepared {
                Ok(prepared) => inner.forwarder.send(prepared, target).await,
                Err(error) => Err(error),
            };
            Ok(inner.complete(index, result, set_cookie, in_flight))
        })
    }
}

// === impl LoadBalancerBuilder ===

impl LoadBalancerBuilder {
    /// Adds a server with its weight (0: never picked, never probed).
    pub fn server(mut self, target: Arc<Target>, weight: u32) -> LoadBalancerBuilder {
        self.servers.push((target, weight));
        self
    }

    /// Adds servers with their weights.
    pub fn servers(
        mut self,
        servers: impl IntoIterator<Item = (Arc<Target>, u32)>,
    ) -> LoadBalancerBuilder {
        self.servers.extend(servers);
        self
    }

    /// How servers are picked (default [`Strategy::Wrr`]).
    pub fn strategy(mut self, strategy: Strategy) -> LoadBalancerBuilder {
        self.strategy = strategy;
        self
    }

    /// Sticky sessions with this cookie (`sticky.cookie`).
    pub fn sticky(mut self, cookie: Option<StickyCookie>) -> LoadBalancerBuilder {
        self.sticky = cookie;
        self
    }

    /// An active health check (`healthCheck`).
    pub fn health_check(mut self, check: Option<ActiveHealthCheck>) -> LoadBalancerBuilder {
        self.active = check;
        self
    }

    /// A passive health check (`passiveHealthCheck`).
    pub fn passive_health_check(
        mut self,
        check: Option<PassiveHealthCheck>,
    ) -> LoadBalancerBuilder {
        self.passive = check;
        self
    }

    /// Builds the service and, with an active health check, starts one probe task
    /// per server on the current tokio runtime (the first probes run at once).
    pub fn build(self) -> Result<LoadBalancer, LoadBalancerError> {
        let weights: Vec<u32> = self.servers.iter().map(|(_, w)| *w).collect();
        let any_weight = weights.iter().any(|w| *w > 0);
        let sticky = self.sticky.map(|cookie| Sticky::new(cookie, &self.servers));
        let checked = self.active.is_some() || self.passive.is_some();
        let (pool, flag) = Pool::new(
            self.name.clone(),
            self.servers,
            self.passive,
            self.active.is_some(),
        );
        let pool = Arc::new(pool);
        let checks = match self.active {
            Some(settings) => {
                let runtime = Handle::try_current().map_err(|_| LoadBalancerError::NoRuntime {
                    service: self.name.to_string(),
                })?;
                let checks = ActiveChecks::spawn(&pool, settings, self.forwarder.clone(), &runtime)
                    .map_err(|(url, source)| LoadBalancerError::ProbeTarget { url, source })?;
                Some(checks)
            }
            None => None,
        };
        let health = if checked || !any_weight {
            flag
        } else {
            ServiceHealth::always_up()
        };
        let picker = match self.strategy {
            Strategy::Wrr => Picker::Wrr(Wrr::new(&weights)),
            Strategy::P2c => Picker::P2c(P2c::new(&weights)),
        };
        Ok(LoadBalancer {
            inner: Arc::new(Inner {
                pool,
                picker,
                sticky,
                forwarder: self.forwarder,
                health,
                _checks: checks,
            }),
        })
    }
}

// === impl Inner ===

impl Inner {
    /// The response to the client once the exchange with server `index` is over:
    /// the outcome counts for passive health checks, a failure becomes its error
    /// response, and the sticky cookie and in-flight guard are attached.
    fn complete(
        &self,
        index: usize,
        result: Result<HttpResponse, ProxyError>,
        set_cookie: Option<http::HeaderValue>,
        in_flight: Option<InFlight>,
    ) -> HttpResponse {
        let failed = match &result {
            Ok(response) => response.status().is_server_error(),
            Err(error) => error.side() == ErrorSide::Upstream,
        };
        self.pool.record(index, failed);
        let mut response = result.unwrap_or_else(|error| {
            tracing::debug!(
                service = self.pool.service(),
                server = self.pool.server(index).target.url(),
                %error,
                "forwarding failed"
            );
            error.into_response()
        });
        if let Some(cookie) = set_cookie {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        match in_flight {
            Some(guard) => response.map(|body| Body::new(InFlightBody::new(body, guard))),
            None => response,
        }
    }

    /// The server for `request` and the cookie to set, if any.
    fn choose(&self, request: &HttpRequest) -> Option<(usize, Option<http::HeaderValue>)> {
        let Some(sticky) = &self.sticky else {
            return Some((self.pick()?, None));
        };
        if let Some((index, legacy)) = sticky.pinned(request.headers())
            && self.pool.in_rotation(index)
        {
            return Some((index, legacy.then(|| sticky.set_cookie(index)).flatten()));
        }
        let index = self.pick()?;
        Some((index, sticky.set_cookie(index)))
    }

    fn pick(&self) -> Option<usize> {
        let pool = &*self.pool;
        match &self.picker {
            Picker::Wrr(wrr) => wrr.next_among_at(pool.epoch(), |i| pool.in_rotation(i)),
            Picker::P2c(p2c) => p2c.next_among(|i| pool.in_rotation(i), |i| pool.load(i)),
        }
    }
}
