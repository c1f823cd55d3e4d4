//! Passive health checks (`passiveHealthCheck`): ejecting servers on real failures.

use std::time::Duration;

/// When real requests take a server out of rotation (Traefik's
/// `passiveHealthCheck`, with its defaults).
///
/// A forwarded request fails when the backend cannot be reached, times out, breaks
/// the exchange, or answers 5xx (as Traefik counts: status >= 500); failures caused
/// by the client (a request that cannot be forwarded, a client gone) do not count,
/// unlike Traefik. A success clears the count. At
/// [`max_failed_attempts`](Self::max_failed_attempts) failures within
/// [`failure_window`](Self::failure_window) the server leaves the rotation: for one
/// window, after which it is tried again with a fresh count; or, when an active
/// check also runs, until that check passes again.
///
/// # Example
///
/// ```
/// use portico_service::PassiveHealthCheck;
/// use std::time::Duration;
///
/// let passive = PassiveHealthCheck::default();
/// assert_eq!(passive.failure_window, Duration::from_secs(10));
/// assert_eq!(passive.max_failed_attempts, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassiveHealthCheck {
    /// The sliding window failures are counted in, and how long an ejected server
    /// stays out (`failureWindow`, default 10s).
    pub failure_window: Duration,
    /// Failures within the window that eject a server (`maxFailedAttempts`,
    /// default 1; 0 counts as 1).
    pub max_failed_attempts: u32,
}

// === impl PassiveHealthCheck ===

impl Default for PassiveHealthCheck {
    fn default() -> Self {
        PassiveHealthCheck {
            failure_window: Duration::from_secs(10),
            max_failed_attempts: 1,
        }
    }
}
