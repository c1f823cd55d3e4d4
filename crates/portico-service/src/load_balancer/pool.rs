//! The servers of one load balancer and their health, shared with the checks.

use std::{
    collections::VecDeque,
    fmt,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
};

use portico_proxy::Target;
use tokio::time::Instant;

use crate::{HealthFlag, PassiveHealthCheck, ServiceHealth};

/// The servers of one balancer with their rotation state.
///
/// Picks read one atomic per server; state changes (rare) go through one lock that
/// also keeps the count of servers in rotation, from which the balancer's
/// [`HealthFlag`] is set, so concurrent changes cannot leave the flag stale.
#[derive(Debug)]
pub(crate) struct Pool {
    service: Arc<str>,
    servers: Box<[Server]>,
    /// Servers with a positive weight in rotation.
    up_count: Mutex<usize>,
    /// Bumped at every change of rotation (see [`crate::balancer::Wrr::next_among_at`]).
    epoch: AtomicU64,
    flag: HealthFlag,
    passive: Option<PassiveHealthCheck>,
    /// Whether active checks bring passively ejected servers back.
    has_active: bool,
}

/// One server of a [`Pool`].
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) target: Arc<Target>,
    pub(crate) weight: u32,
    up: AtomicBool,
    in_flight: AtomicUsize,
    /// Recent forwarding failures (passive health check), oldest first.
    failures: Mutex<VecDeque<Instant>>,
    /// Set while a passive ejection waits for its window to pass.
    ejected: AtomicBool,
}

/// Why a server changes state, for the log line.
pub(crate) enum Cause<'a> {
    /// An active check answered.
    Check(Option<&'a dyn fmt::Display>),
    /// Too many forwarding failures within the passive window.
    Failures(usize),
    /// The passive failure window passed.
    WindowElapsed,
}

/// Counts one in-flight request on a server until dropped.
#[derive(Debug)]
pub(crate) struct InFlight {
    pool: Arc<Pool>,
    index: usize,
}

// === impl Pool ===

impl Pool {
    /// Every server starts in rotation (as in Traefik) until a check says otherwise.
    pub(crate) fn new(
        service: Arc<str>,
        servers: Vec<(Arc<Target>, u32)>,
        passive: Option<PassiveHealthCheck>,
        has_active: bool,
    ) -> (Pool, ServiceHealth) {
        let up_count = servers.iter().filter(|(_, w)| *w > 0).count();
        let (flag, health) = ServiceHealth::flag(up_count > 0);
        let servers = servers
            .into_iter()
            .map(|(target, weight)| Server {
                target,
                weight,
                up: AtomicBool::new(true),
                in_flight: AtomicUsize::new(0),
                failures: Mutex::new(VecDeque::new()),
                ejected: AtomicBool::new(false),
            })
            .collect();
        let pool = Pool {
            service,
            servers,
            up_count: Mutex::new(up_count),
            epoch: AtomicU64::new(0),
            flag,
            passive,
            has_active,
        };
        (pool, health)
    }

    pub(crate) fn service(&self) -> &str {
        &self.service
    }

    pub(crate) fn servers(&self) -> &[Server] {
        &self.servers
    }

    pub(crate) fn server(&self, index: usize) -> &Server {
        &self.servers[index]
    }

    /// Whether the server at `index` takes requests.
    pub(crate) fn in_rotation(&self, index: usize) -> bool {
        self.servers[index].up.load(Ordering::Relaxed)
    }

    /// Changes whenever a server enters or leaves the rotation; 0 while all are in.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// In-flight requests on the server at `index`.
    pub(crate) fn load(&self, index: usize) -> usize {
        self.servers[index].in_flight.load(Ordering::Relaxed)
    }

    /// Counts a request on the server at `index` until the guard is dropped.
    pub(crate) fn start(self: &Arc<Self>, index: usize) -> InFlight {
        self.servers[index]
            .in_flight
            .fetch_add(1, Ordering::Relaxed);
        InFlight {
            pool: self.clone(),
            index,
        }
    }

    /// Puts the server at `index` in or out of rotation; logs and returns whether
    /// that changed anything.
    pub(crate) fn set_up(&self, index: usize, up: bool, cause: Cause<'_>) -> bool {
        let server = &self.servers[index];
        let mut count = lock(&self.up_count);
        if server.up.swap(up, Ordering::AcqRel) == up {
            return false;
        }
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if server.weight > 0 {
            *count = if up {
                count.saturating_add(1)
            } else {
                count.saturating_sub(1)
            };
            self.flag.set(*count > 0);
        }
        let in_rotation = *count;
        drop(count);

        let service = &*self.service;
        let url = server.target.url();
        match (up, cause) {
            (false, Cause::Check(reason)) => {
                let reason = reason.map(ToString::to_string).unwrap_or_default();
                tracing::warn!(service, server = url, %reason, in_rotation, "health check failed, server out of rotation");
            }
            (false, Cause::Failures(failures)) => {
                tracing::warn!(
                    service,
                    server = url,
                    failures,
                    in_rotation,
                    "passive health check: too many failures, server out of rotation"
                );
            }
            (false, Cause::WindowElapsed) => {}
            (true, Cause::Check(_)) => {
                tracing::info!(
                    service,
                    server = url,
                    in_rotation,
                    "health check passed, server back in rotation"
                );
            }
            (true, _) => {
                tracing::info!(
                    service,
                    server = url,
                    in_rotation,
                    "passive health check window passed, server back in rotation"
                );
            }
        }
        true
    }

    /// Records the outcome of one forwarded request for the passive health check:
    /// a failure counts within the window, a success clears the count. At
    /// `max_failed_attempts` failures the server leaves the rotation: for the window
    /// when no active check runs, else until the next passing active check.
    pub(crate) fn record(self: &Arc<Self>, index: usize, failed: bool) {
        let Some(passive) = &self.passive else {
            return;
        };
        let server = &self.servers[index];
        let mut failures = lock(&server.failures);
        if !failed {
            failures.clear();
            return;
        }
        let now = Instant::now();
        failures.push_back(now);
        if let Some(start) = now.checked_sub(passive.failure_window) {
            while failures.front().is_some_and(|t| *t <= start) {
                failures.pop_front();
            }
        }
        let count = failures.len();
        drop(failures);
        if count < passive.max_failed_attempts.max(1) as usize
            || server.ejected.swap(true, Ordering::AcqRel)
        {
            return;
        }
        self.set_up(index, false, Cause::Failures(count));
        if self.has_active {
            server.ejected.store(false, Ordering::Release);
            return;
        }
        let pool = Arc::downgrade(self);
        let window = passive.failure_window;
        tokio::spawn(async move {
            tokio::time::sleep(window).await;
            if let Some(pool) = pool.upgrade() {
                let server = &pool.servers[index];
                lock(&server.failures).clear();
                server.ejected.store(false, Ordering::Release);
                pool.set_up(index, true, Cause::WindowElapsed);
            }
        });
    }
}

// === impl InFlight ===

impl Drop for InFlight {
    fn drop(&mut self) {
        self.pool.servers[self.index]
            .in_flight
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// Locks `mutex`; a poisoned lock only means a holder panicked between two plain
/// updates, so the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
