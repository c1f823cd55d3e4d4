//! Active health checks (`healthCheck`): one probe loop per server.

use std::{sync::Arc, time::Duration};

use http::{HeaderMap, HeaderValue, Method, StatusCode, uri::PathAndQuery};
use portico_proxy::{Forwarder, Target, TargetError, UpstreamProtocol};
use tokio::{runtime::Handle, task::AbortHandle};

use super::probe::{Chain, Prober};
use crate::load_balancer::{Cause, Pool};

/// What an active health check sends and expects (Traefik's `healthCheck`), with
/// Traefik's defaults.
///
/// Each server of the balancer is probed on its own schedule: the first probe right
/// when the balancer is built, then every [`interval`](Self::interval) while the
/// server passes and every [`unhealthy_interval`](Self::unhealthy_interval) while it
/// fails. Servers start in rotation (as in Traefik) and leave it at the first
/// failed probe. A probe fails on a transport error, on no answer within
/// [`timeout`](Self::timeout), or on an unexpected answer.
///
/// # Example
///
/// ```
/// use portico_service::{ActiveHealthCheck, HealthCheckMode};
/// use std::time::Duration;
///
/// let check = ActiveHealthCheck {
///     path: "/health".parse().unwrap(),
///     interval: Duration::from_secs(10),
///     ..ActiveHealthCheck::default()
/// };
/// assert_eq!(check.mode, HealthCheckMode::Http);
/// assert_eq!(check.timeout, Duration::from_secs(5));
/// assert_eq!(check.unhealthy_interval(), Duration::from_secs(10));
/// assert!(check.follow_redirects);
/// ```
#[derive(Clone, Debug)]
pub struct ActiveHealthCheck {
    /// HTTP request or gRPC health protocol (`mode`, default `http`).
    pub mode: HealthCheckMode,
    /// Path and query probed (`path`, default `/`); unused in gRPC mode, which
    /// calls `/grpc.health.v1.Health/Check`.
    pub path: PathAndQuery,
    /// Request method (`method`, default `GET`).
    pub method: Method,
    /// Protocol of the probe instead of the server's (`scheme`: `http`, `https`,
    /// `h2c`). In gRPC mode a cleartext server is always probed over h2c.
    pub scheme: Option<UpstreamProtocol>,
    /// Port probed instead of the server's (`port`).
    pub port: Option<u16>,
    /// `Host` header of the probe (`hostname`; default the server's `host:port`).
    pub hostname: Option<HeaderValue>,
    /// Extra request headers (`headers`).
    pub headers: HeaderMap,
    /// The one status that passes (`status`); by default any 2xx or 3xx.
    pub expected_status: Option<StatusCode>,
    /// Time between probes of a passing server (`interval`, default 30s).
    pub interval: Duration,
    /// Time between probes of a failing server (`unhealthyInterval`; `None` means
    /// [`interval`](Self::interval)).
    pub unhealthy_interval: Option<Duration>,
    /// Bound on one probe, redirects and gRPC answer included (`timeout`, 5s).
    pub timeout: Duration,
    /// Whether redirects are followed, at most 10 hops (`followRedirects`, default
    /// true); when false a 3xx answer is judged as it is.
    pub follow_redirects: bool,
}

/// How a server is probed (`healthCheck.mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HealthCheckMode {
    /// `http`: a request to [`ActiveHealthCheck::path`], judged by its status.
    #[default]
    Http,
    /// `grpc`: the gRPC health checking protocol (`grpc.health.v1.Health/Check`
    /// with an empty service name), passing on `SERVING`.
    Grpc,
}

/// The running probe loops of one balancer, stopped when dropped.
#[derive(Debug)]
pub(crate) struct ActiveChecks {
    tasks: Vec<AbortHandle>,
}

// === impl ActiveHealthCheck ===

impl Default for ActiveHealthCheck {
    fn default() -> Self {
        ActiveHealthCheck {
            mode: HealthCheckMode::Http,
            path: PathAndQuery::from_static("/"),
            method: Method::GET,
            scheme: None,
            port: None,
            hostname: None,
            headers: HeaderMap::new(),
            expected_status: None,
            interval: Duration::from_secs(30),
            unhealthy_interval: None,
            timeout: Duration::from_secs(5),
            follow_redirects: true,
        }
    }
}

impl ActiveHealthCheck {
    /// The time between probes of a failing server.
    pub fn unhealthy_interval(&self) -> Duration {
        self.unhealthy_interval.unwrap_or(self.interval)
    }

    /// Zero durations replaced by Traefik's defaults (as Traefik does, with a log),
    /// so a probe loop never spins.
    fn normalized(mut self, service: &str) -> ActiveHealthCheck {
        let defaults = ActiveHealthCheck::default();
        if self.interval.is_zero() {
            tracing::warn!(service, "health check interval is zero, using 30s");
            self.interval = defaults.interval;
        }
        if self.unhealthy_interval.is_some_and(|d| d.is_zero()) {
            tracing::warn!(
                service,
                "health check unhealthy interval is zero, using the interval"
            );
            self.unhealthy_interval = None;
        }
        if self.timeout.is_zero() {
            tracing::warn!(service, "health check timeout is zero, using 5s");
            self.timeout = defaults.timeout;
        }
        self
    }

    /// The target a probe of `server` goes to: the server with the scheme and port
    /// overrides applied.
    pub(crate) fn probe_target(&self, server: &Target) -> Result<Target, TargetError> {
        let protocol = match (self.mode, self.scheme.unwrap_or(server.protocol())) {
            (HealthCheckMode::Grpc, UpstreamProtocol::Http1) => UpstreamProtocol::H2c,
            (_, protocol) => protocol,
        };
        let scheme = match protocol {
            UpstreamProtocol::Http1 => "http",
            UpstreamProtocol::H2c => "h2c",
            UpstreamProtocol::Https => "https",
        };
        let authority = server.authority();
        let port = self
            .port
            .or_else(|| authority.port_u16())
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        Target::parse(&format!("{scheme}://{}{port}", authority.host()))
    }
}

// === impl ActiveChecks ===

impl ActiveChecks {
    /// Starts one probe loop per server with a positive weight (weight 0 servers are
    /// never picked, so never probed).
    pub(crate) fn spawn(
        pool: &Arc<Pool>,
        settings: ActiveHealthCheck,
        forwarder: Forwarder,
        runtime: &Handle,
    ) -> Result<ActiveChecks, (String, TargetError)> {
        let settings = settings.normalized(pool.service());
        let targets = pool
            .servers()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.weight > 0)
            .map(|(i, s)| {
                settings
                    .probe_target(&s.target)
                    .map(|t| (i, Arc::new(t)))
                    .map_err(|e| (s.target.url().to_owned(), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let prober = Arc::new(Prober::new(forwarder, settings));
        let tasks = targets
            .into_iter()
            .map(|(index, target)| {
                let run = probe_loop(pool.clone(), index, target, prober.clone());
                runtime.spawn(run).abort_handle()
            })
            .collect();
        Ok(ActiveChecks { tasks })
    }
}

impl Drop for ActiveChecks {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Probes one server forever: right away, then at the interval its state asks for,
/// counted from the start of the previous probe (a ticker, as Traefik's).
async fn probe_loop(pool: Arc<Pool>, index: usize, target: Arc<Target>, prober: Arc<Prober>) {
    loop {
        let started = tokio::time::Instant::now();
        let up = match prober.check(&target).await {
            Ok(()) => {
                pool.set_up(index, true, Cause::Check(None));
                true
            }
            Err(error) => {
                let reason = Chain(&error);
                tracing::debug!(
                    service = pool.service(),
                    server = pool.server(index).target.url(),
                    %reason,
                    "health check failed"
                );
                pool.set_up(index, false, Cause::Check(Some(&reason)));
                false
            }
        };
        let pause = if up {
            prober.settings().interval
        } else {
            prober.settings().unhealthy_interval()
        };
        tokio::time::sleep_until(started + pause).await;
    }
}
