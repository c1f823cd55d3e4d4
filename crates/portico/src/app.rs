//! The running proxy: entrypoints, their routers, and the control plane that
//! compiles routing configuration and publishes it.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use portico_config::model::{EntryPointSpec, InstallModel, RoutingModel};
use portico_proxy::{Transport, TransportSettings};
use portico_router::{Compiler, EntryPointSet, RouteTable, Router, RuntimeStatus};
use portico_server::{BindError, EntryPoint, RunningEntryPoint};
use tracing::{error, info, warn};

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
    entrypoints: Vec<EntryPoint>,
    control: Arc<Control>,
}

/// The running proxy. Dropping it leaves the entrypoint tasks running until the
/// runtime stops; call [`App::shutdown`] to drain them.
#[derive(Debug)]
pub struct App {
    entrypoints: BTreeMap<String, RunningEntryPoint>,
    control: Arc<Control>,
}

/// The control plane: compiles routing models and publishes the tables.
#[derive(Debug)]
struct Control {
    routers: BTreeMap<String, Router>,
    entry_set: EntryPointSet,
    compiler: Mutex<Compiler>,
    status: Mutex<RuntimeStatus>,
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
        let ts = &install.servers_transport;
        let transport = Transport::new(&TransportSettings {
            dial_timeout: ts.dial_timeout,
            response_header_timeout: ts.response_header_timeout,
            idle_conn_timeout: ts.idle_conn_timeout,
            max_idle_conns_per_host: ts.max_idle_conns_per_host,
        });
        let entry_set = install.entry_points.values().fold(
            EntryPointSet::new(
                install
                    .entry_points
                    .values()
                    .map(|e: &EntryPointSpec| (e.name.as_str(), e.as_default)),
            ),
            |set, e| set.with_middlewares(&e.name, e.http.middlewares.clone()),
        );
        let routers = entrypoints
            .iter()
            .map(|e| (e.spec().name.clone(), Router::new(RouteTable::empty())))
            .collect();
        Ok(BoundApp {
            entrypoints,
            control: Arc::new(Control {
                routers,
                entry_set,
                compiler: Mutex::new(Compiler::new(transport)),
                status: Mutex::new(RuntimeStatus::default()),
            }),
        })
    }

    /// Compiles and publishes routing before anything is served, so the first
    /// request already sees it. See [`App::apply`].
    pub fn apply(&self, model: &RoutingModel) -> RuntimeStatus {
        self.control.apply(model)
    }

    /// The bound addresses by entrypoint name.
    pub fn addresses(&self) -> BTreeMap<String, SocketAddr> {
        self.entrypoints
            .iter()
            .map(|e| (e.spec().name.clone(), e.local_addr()))
            .collect()
    }

    /// Starts serving with the routing applied so far (none: every request gets
    /// `404`). Must be called within a tokio runtime.
    pub fn serve(self) -> App {
        let mut entrypoints = BTreeMap::new();
        for bound in self.entrypoints {
            let name = bound.spec().name.clone();
            let Some(router) = self.control.routers.get(&name).cloned() else {
                continue;
            };
            entrypoints.insert(name, bound.serve(router));
        }
        App {
            entrypoints,
            control: self.control,
        }
    }
}

// === impl App ===

impl App {
    /// The bound addresses by entrypoint name.
    pub fn addresses(&self) -> BTreeMap<String, SocketAddr> {
        self.entrypoints
            .iter()
            .map(|(name, e)| (name.clone(), e.local_addr()))
            .collect()
    }

    /// The bound address of one entrypoint.
    pub fn address(&self, entrypoint: &str) -> Option<SocketAddr> {
        self.entrypoints.get(entrypoint).map(|e| e.local_addr())
    }

    /// Compiles `model` and publishes the new tables on every entrypoint; routers
    /// that cannot be served are disabled and logged at `ERROR`.
    pub fn apply(&self, model: &RoutingModel) -> RuntimeStatus {
        self.control.apply(model)
    }

    /// The status of the last [`App::apply`].
    pub fn status(&self) -> RuntimeStatus {
        lock(&self.control.status).clone()
    }

    /// Drains every entrypoint concurrently, each by its `lifeCycle`.
    pub async fn shutdown(self) {
        let drains = self
            .entrypoints
            .into_values()
            .map(|e| tokio::spawn(e.shutdown()));
        for drain in drains {
            if let Err(error) = drain.await {
                error!(%error, "entrypoint drain task failed");
            }
        }
    }
}

// === impl Control ===

impl Control {
    fn apply(&self, model: &RoutingModel) -> RuntimeStatus {
        let compiled = lock(&self.compiler).compile(model, &self.entry_set);
        for (entrypoint, table) in compiled.tables {
            if let Some(router) = self.routers.get(&entrypoint) {
                router.publish(table);
            }
        }
        for problem in compiled.status.problems() {
            error!("{problem}");
        }
        let enabled = compiled.status.enabled_routers();
        let total = compiled.status.routers.len();
        if enabled < total {
            warn!(enabled, total, "some routers are disabled");
        }
        info!(routers = enabled, "routing configuration applied");
        *lock(&self.status) = compiled.status.clone();
        compiled.status
    }
}

/// Locks a mutex whose data stays valid even if a holder panicked.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
