//! Whether a service can take requests, and the checks that decide it for the
//! servers of a load balancer ([`ActiveHealthCheck`], [`PassiveHealthCheck`]).

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

mod active;
mod grpc;
mod passive;
mod probe;

pub(crate) use self::active::ActiveChecks;
pub use self::{
    active::{ActiveHealthCheck, HealthCheckMode},
    passive::PassiveHealthCheck,
};

/// Whether a service can take requests, readable by the services above it.
///
/// A leaf is a flag its owner sets (a load balancer is up while one of its
/// servers is); a composite is up while any of its children is. Reading is a few
/// atomic loads, cheap enough for every pick.
///
/// # Example
///
/// ```
/// use portico_service::ServiceHealth;
///
/// let (flag, a) = ServiceHealth::flag(true);
/// let parent = ServiceHealth::any_of(vec![a, ServiceHealth::flag(false).1]);
/// assert!(parent.is_up());
/// flag.set(false);
/// assert!(!parent.is_up());
/// assert!(ServiceHealth::always_up().is_up());
/// ```
#[derive(Clone, Debug)]
pub struct ServiceHealth(Repr);

#[derive(Clone, Debug)]
enum Repr {
    Always,
    Flag(Arc<AtomicBool>),
    AnyOf(Arc<[ServiceHealth]>),
}

/// The writing side of a leaf [`ServiceHealth`].
#[derive(Clone, Debug)]
pub struct HealthFlag(Arc<AtomicBool>);

// === impl ServiceHealth ===

impl ServiceHealth {
    /// A service that is always up (no health check configured).
    pub fn always_up() -> ServiceHealth {
        ServiceHealth(Repr::Always)
    }

    /// A leaf set through the returned [`HealthFlag`].
    pub fn flag(initially_up: bool) -> (HealthFlag, ServiceHealth) {
        let flag = Arc::new(AtomicBool::new(initially_up));
        (HealthFlag(flag.clone()), ServiceHealth(Repr::Flag(flag)))
    }

    /// Up while any of `children` is up (down when there is none).
    pub fn any_of(children: Vec<ServiceHealth>) -> ServiceHealth {
        ServiceHealth(Repr::AnyOf(children.into()))
    }

    /// Whether the service can take requests now.
    pub fn is_up(&self) -> bool {
        match &self.0 {
            Repr::Always => true,
            Repr::Flag(flag) => flag.load(Ordering::Acquire),
            Repr::AnyOf(children) => children.iter().any(ServiceHealth::is_up),
        }
    }
}

// === impl HealthFlag ===

impl HealthFlag {
    /// Sets the state; returns whether it changed.
    pub fn set(&self, up: bool) -> bool {
        self.0.swap(up, Ordering::AcqRel) != up
    }

    /// The current state.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}
