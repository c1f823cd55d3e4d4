//! The running proxy.
//!
//! [`BoundApp::bind`] binds every entrypoint (nothing half-started if one fails);
//! [`BoundApp::start`] loads the routing configuration, compiles it, starts serving
//! and hands control to a supervisor task that owns everything that changes:
//!
//! - **routing**: each provider sends its whole configuration when it changes (the
//!   file provider when its files change, throttled); a configuration that does not
//!   parse is refused and the last good one keeps serving; otherwise it is
//!   validated, compiled off the request path (a blocking task) and published with
//!   one pointer swap per entrypoint;
//! - **entrypoints**: [`AppHandle::reload_install`] (SIGHUP, or a watched install
//!   file) diffs the entrypoint set: new ones are bound and served, removed ones
//!   drain, a changed address is bound first and then the old one drains, changed
//!   settings apply to new connections on the same socket. Anything else in the
//!   install configuration that cannot change live is named in the report.
//!
//! [`AppHandle`] is the cheap, cloneable way to observe and steer it.

mod acme;
mod entrypoints;
mod http01;
mod routing;
mod supervisor;

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use portico_config::model::{InstallModel, RoutingModel};
use portico_router::RuntimeStatus;
use portico_server::{BindError, EntryPoint};
use tokio::{
    sync::{mpsc, oneshot, watch},
    task::JoinHandle,
};

pub(crate) use self::supervisor::ProviderUpdate;
use self::supervisor::{Command, Supervisor};

/// Start-up failed; nothing is left listening.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// An entrypoint's address cannot be listened on.
    #[error("entryPoints.{entrypoint}.address: {source}")]
    Bind {
        /// The entrypoint's name.
        entrypoint: String,
        /// Why.
        #[source]
        source: BindError,
    },
}

/// Every entrypoint bound, none serving yet: the point where start-up can still
/// fail as a whole (a port in use) without anything half-started.
#[derive(Debug)]
pub struct BoundApp {
    install: InstallModel,
    entrypoints: Vec<EntryPoint>,
}

/// The running proxy; [`App::shutdown`] drains it.
#[derive(Debug)]
pub struct App {
    handle: AppHandle,
    supervisor: JoinHandle<()>,
}

/// Observes and steers a running [`App`]; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppHandle {
    commands: mpsc::Sender<Command>,
    shared: Arc<Shared>,
}

/// What the supervisor publishes for handles to read.
#[derive(Debug)]
struct Shared {
    addresses: Mutex<BTreeMap<String, SocketAddr>>,
    status: Mutex<RuntimeStatus>,
    applied: watch::Sender<u64>,
}

/// What an install-configuration reload changed, and what it could not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReloadReport {
    /// Entrypoints bound and serving now.
    pub started: Vec<String>,
    /// Entrypoints stopped (draining).
    pub stopped: Vec<String>,
    /// Entrypoints moved to a new address (the old one is draining).
    pub rebound: Vec<String>,
    /// Entrypoints whose settings changed, for new connections.
    pub updated: Vec<String>,
    /// Changes that failed; the previous state stays (for example a port in use).
    pub failed: Vec<String>,
    /// Changes that cannot apply without a restart.
    pub not_applied: Vec<String>,
}

// === impl BoundApp ===

impl BoundApp {
    /// Binds every entrypoint of `install`; on the first failure, every listener
    /// already opened is closed again and the error names the entrypoint.
    pub fn bind(install: InstallModel) -> Result<BoundApp, StartError> {
        let mut entrypoints = Vec::with_capacity(install.entry_points.len());
        for spec in install.entry_points.values() {
            let bound = EntryPoint::bind(spec.clone()).map_err(|source| StartError::Bind {
                entrypoint: spec.name.clone(),
                source,
            })?;
            entrypoints.push(bound);
        }
        Ok(BoundApp {
            install,
            entrypoints,
        })
    }

    /// The bound addresses by entrypoint name.
    pub fn addresses(&self) -> BTreeMap<String, SocketAddr> {
        self.entrypoints
            .iter()
            .map(|e| (e.spec().name.clone(), e.local_addr()))
            .collect()
    }

    /// Loads and compiles the routing configuration of the configured providers,
    /// starts serving, and starts the supervisor and the provider watchers. Must be
    /// called within a tokio runtime.
    pub async fn start(self) -> App {
        self.start_with(None).await
    }

    /// [`BoundApp::start`], with routing given by the caller as provider `provider`
    /// in addition to the configured providers (a library user's own provider).
    pub async fn start_with(self, routing: Option<(&str, RoutingModel)>) -> App {
        let (commands, inbox) = mpsc::channel(16);
        let (applied, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            addresses: Mutex::new(self.addresses()),
            status: Mutex::new(RuntimeStatus::default()),
            applied,
        });
        let supervisor =
            Supervisor::start(self.install, self.entrypoints, routing, shared.clone()).await;
        let supervisor = tokio::spawn(supervisor.run(inbox));
        App {
            handle: AppHandle { commands, shared },
            supervisor,
        }
    }
}

// === impl App ===

impl App {
    /// A handle on the running proxy.
    pub fn handle(&self) -> AppHandle {
        self.handle.clone()
    }

    /// The bound addresses by entrypoint name.
    pub fn addresses(&self) -> BTreeMap<String, SocketAddr> {
        self.handle.addresses()
    }

    /// The bound address of one entrypoint.
    pub fn address(&self, entrypoint: &str) -> Option<SocketAddr> {
        self.handle.address(entrypoint)
    }

    /// The status of the routing configuration applied last.
    pub fn status(&self) -> RuntimeStatus {
        self.handle.status()
    }

    /// Drains every entrypoint concurrently, each by its `lifeCycle`, and stops the
    /// providers.
    pub async fn shutdown(self) {
        let (done, wait) = oneshot::channel();
        if self
            .handle
            .commands
            .send(Command::Shutdown(done))
            .await
            .is_ok()
        {
            let _ = wait.await;
        }
        let _ = self.supervisor.await;
    }
}

// === impl AppHandle ===

impl AppHandle {
    /// The bound addresses by entrypoint name.
    pub fn addresses(&self) -> BTreeMap<String, SocketAddr> {
        lock(&self.shared.addresses).clone()
    }

    /// The bound address of one entrypoint.
    pub fn address(&self, entrypoint: &str) -> Option<SocketAddr> {
        lock(&self.shared.addresses).get(entrypoint).copied()
    }

    /// The status of the routing configuration applied last.
    pub fn status(&self) -> RuntimeStatus {
        lock(&self.shared.status).clone()
    }

    /// A counter of routing configurations applied (it changes after each swap);
    /// wait on it instead of sleeping.
    pub fn applied(&self) -> watch::Receiver<u64> {
        self.shared.applied.subscribe()
    }

    /// Applies a new install configuration (what SIGHUP does).
    pub async fn reload_install(&self, install: InstallModel) -> ReloadReport {
        let (reply, wait) = oneshot::channel();
        if self
            .commands
            .send(Command::Install(Box::new(install), reply))
            .await
            .is_err()
        {
            return ReloadReport {
                failed: vec!["portico is stopping".to_owned()],
                ..ReloadReport::default()
            };
        }
        wait.await.unwrap_or_default()
    }

    /// Loads every configured provider again now and applies the result (what a
    /// file change does when the provider is watched).
    pub async fn reload_providers(&self) -> RuntimeStatus {
        let (reply, wait) = oneshot::channel();
        if self
            .commands
            .send(Command::ReloadProviders(reply))
            .await
            .is_err()
        {
            return self.status();
        }
        wait.await.unwrap_or_default()
    }

    /// Replaces the whole routing configuration of provider `provider` (qualified
    /// names in `model` should use that provider) and waits until it is applied.
    pub async fn apply_routing(&self, provider: &str, model: RoutingModel) -> RuntimeStatus {
        let (reply, wait) = oneshot::channel();
        let command = Command::Routing {
            provider: provider.to_owned(),
            model: Box::new(model),
            reply,
        };
        if self.commands.send(command).await.is_err() {
            return self.status();
        }
        wait.await.unwrap_or_default()
    }
}

/// Locks a mutex whose data stays valid even if a holder panicked.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
