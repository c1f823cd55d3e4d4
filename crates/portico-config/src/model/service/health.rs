//! Active (`healthCheck`) and passive (`passiveHealthCheck`) health checks of a
//! load balancer's servers.

use std::{collections::BTreeMap, time::Duration};

/// `loadBalancer.healthCheck`: each server is probed on its own.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use portico_config::model::{HealthCheckMode, HealthCheckSpec};
///
/// let hc = HealthCheckSpec::default();
/// assert_eq!((hc.interval, hc.unhealthy_interval), (Duration::from_secs(30), Duration::from_secs(30)));
/// assert_eq!(hc.timeout, Duration::from_secs(5));
/// assert_eq!((hc.mode, hc.method.as_str()), (HealthCheckMode::Http, "GET"));
/// assert!(hc.follow_redirects && hc.status.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheckSpec {
    /// `mode` (default `http`).
    pub mode: HealthCheckMode,
    /// `scheme`, lower case (`http`, `https` or `h2c`); `None`: the server's. In
    /// gRPC mode, `https` means TLS and anything else cleartext HTTP/2.
    pub scheme: Option<String>,
    /// `path`, resolved against the server URL; `None`: the server URL itself.
    /// Not used in gRPC mode, which asks about the server as a whole (an empty
    /// service name, as Traefik).
    pub path: Option<String>,
    /// `method`, upper case (default `GET`).
    pub method: String,
    /// `status`: the status a healthy server answers; `None` (default): any 2xx or
    /// 3xx.
    pub status: Option<u16>,
    /// `port`: probe this port instead of the server's.
    pub port: Option<u16>,
    /// `hostname`: the `Host` header of probes (default: the server's host).
    pub hostname: Option<String>,
    /// `headers`: added to every probe, names as written.
    pub headers: BTreeMap<String, String>,
    /// `interval`: time between probes of a healthy server (default 30s, never
    /// zero).
    pub interval: Duration,
    /// `unhealthyInterval`: time between probes of an unhealthy server (default:
    /// `interval`, never zero).
    pub unhealthy_interval: Duration,
    /// `timeout`: a probe not answered in this time fails (default 5s, never zero).
    pub timeout: Duration,
    /// `followRedirects` (default true).
    pub follow_redirects: bool,
}

/// `healthCheck.mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HealthCheckMode {
    /// An HTTP request; healthy when the status matches.
    #[default]
    Http,
    /// The gRPC health checking protocol (`grpc.health.v1.Health/Check`); healthy
    /// when it answers `SERVING`.
    Grpc,
}

/// `loadBalancer.passiveHealthCheck`: servers are taken out of rotation after
/// failing real requests.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use portico_config::model::PassiveHealthCheckSpec;
///
/// let p = PassiveHealthCheckSpec::default();
/// assert_eq!((p.failure_window, p.max_failed_attempts), (Duration::from_secs(10), 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PassiveHealthCheckSpec {
    /// `failureWindow`: the window in which failures are counted, and how long a
    /// server then stays out (default 10s, never zero).
    pub failure_window: Duration,
    /// `maxFailedAttempts`: failures within the window that take a server out
    /// (default 1, at least 1).
    pub max_failed_attempts: u32,
}

// === impl HealthCheckSpec ===

impl HealthCheckSpec {
    /// Traefik's `DefaultHealthCheckInterval`.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
    /// Traefik's `DefaultHealthCheckTimeout`.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
}

impl Default for HealthCheckSpec {
    /// `healthCheck: {}`: every option at Traefik's default.
    fn default() -> Self {
        HealthCheckSpec {
            mode: HealthCheckMode::Http,
            scheme: None,
            path: None,
            method: "GET".to_owned(),
            status: None,
            port: None,
            hostname: None,
            headers: BTreeMap::new(),
            interval: HealthCheckSpec::DEFAULT_INTERVAL,
            unhealthy_interval: HealthCheckSpec::DEFAULT_INTERVAL,
            timeout: HealthCheckSpec::DEFAULT_TIMEOUT,
            follow_redirects: true,
        }
    }
}

// === impl PassiveHealthCheckSpec ===

impl Default for PassiveHealthCheckSpec {
    /// `passiveHealthCheck: {}`: Traefik's defaults.
    fn default() -> Self {
        PassiveHealthCheckSpec {
            failure_window: Duration::from_secs(10),
            max_failed_attempts: 1,
        }
    }
}
