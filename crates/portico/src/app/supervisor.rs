//! The supervisor task: owns entrypoints, routers and providers, and applies every
//! change one at a time.

use std::{collections::BTreeMap, sync::Arc};

use portico_acme::challenge::http01::Http01Tokens;
use portico_config::{
    model::{EntryPointSpec, FileProviderSpec, InstallModel, RoutingModel},
    validate::RoutingOptions,
};
use portico_proxy::{Transport, TransportSettings};
use portico_router::{EntryPointSet, RouteTable, Router, RuntimeStatus};
use portico_server::{EntryPoint, RunningEntryPoint};
use portico_tls::TlsRegistry;
use tokio::{
    sync::{mpsc, oneshot},
    task::JoinHandle,
};
use tracing::{error, info, warn};

use super::{
    ReloadReport, Shared,
    acme::{self, AcmeRuntime},
    http01::Http01Router,
    lock,
    routing::Routing,
};
use crate::providers::{self, KubernetesProvider, Provided};

/// What handles ask of the supervisor.
#[derive(Debug)]
pub(super) enum Command {
    /// Apply a new install configuration.
    Install(Box<InstallModel>, oneshot::Sender<ReloadReport>),
    /// Replace a provider's routing configuration.
    Routing {
        provider: String,
        model: Box<RoutingModel>,
        reply: oneshot::Sender<RuntimeStatus>,
    },
    /// Load every provider again now (as if its files had changed).
    ReloadProviders(oneshot::Sender<RuntimeStatus>),
    /// Drain everything and stop.
    Shutdown(oneshot::Sender<()>),
}

/// A provider's new configuration, or why it could not produce one.
#[derive(Debug)]
pub(crate) struct ProviderUpdate {
    pub(crate) provider: &'static str,
    pub(crate) result: Result<Provided, String>,
}

/// Everything that changes at run time, owned by one task.
#[derive(Debug)]
pub(super) struct Supervisor {
    pub(super) install: InstallModel,
    pub(super) entrypoints: BTreeMap<String, RunningEntryPoint>,
    /// Each entrypoint's routers: plain HTTP and HTTPS.
    pub(super) routers: BTreeMap<String, Routers>,
    /// Certificates and TLS options, shared by every entrypoint.
    pub(super) tls: Arc<TlsRegistry>,
    pub(super) routing: Routing,
    pub(super) shared: Arc<Shared>,
    pub(super) updates: mpsc::Sender<ProviderUpdate>,
    inbox_updates: Option<mpsc::Receiver<ProviderUpdate>>,
    pub(super) file_provider: Option<JoinHandle<()>>,
    /// The Kubernetes providers' tasks.
    pub(super) kubernetes: Vec<JoinHandle<()>>,
    pub(super) draining: Vec<JoinHandle<()>>,
    /// The certificate resolvers, when any is configured.
    pub(super) acme: Option<Arc<AcmeRuntime>>,
}

impl Supervisor {
    /// Loads the providers once, compiles, and starts serving every bound
    /// entrypoint with its table already in place.
    pub(super) async fn start(
        install: InstallModel,
        bound: Vec<EntryPoint>,
        extra: Option<(&str, RoutingModel)>,
        shared: Arc<Shared>,
    ) -> Supervisor {
        let ts = &install.servers_transport;
        let transport = Transport::new(&TransportSettings {
            dial_timeout: ts.dial_timeout,
            response_header_timeout: ts.response_header_timeout,
            idle_conn_timeout: ts.idle_conn_timeout,
            max_idle_conns_per_host: ts.max_idle_conns_per_host,
            ..TransportSettings::default()
        })
        .expect("timeouts and pool limits alone are always valid transport settings");
        let options = RoutingOptions {
            default_rule_syntax: install.default_rule_syntax,
        };
        let (updates, inbox_updates) = mpsc::channel(4);
        let tls = Arc::new(TlsRegistry::new());
        let mut supervisor = Supervisor {
            routing: Routing::new(options, transport, tls.clone()),
            routers: bound
                .iter()
                .map(|e| (e.spec().name.clone(), Routers::new()))
                .collect(),
            tls,
            install,
            entrypoints: BTreeMap::new(),
            shared,
            updates,
            inbox_updates: Some(inbox_updates),
            file_provider: None,
            kubernetes: Vec::new(),
            draining: Vec::new(),
            acme: None,
        };
        supervisor.acme = AcmeRuntime::start(
            &supervisor.install,
            &supervisor.tls,
            supervisor.updates.clone(),
        );
        if let Some(acme) = &supervisor.acme {
            supervisor
                .routing
                .set_raw(acme::PROVIDER, acme.stored_config().into());
            for (name, routers) in &mut supervisor.routers {
                if acme.http01_entry_points.contains(name) {
                    routers.http01 = Some(acme.http01.clone());
                }
            }
        }
        if let Some((provider, model)) = extra {
            supervisor.routing.set_model(provider, model);
        }
        if let Some(file) = supervisor.install.providers.file.clone() {
            supervisor.load_file_provider_now(&file).await;
        }
        supervisor.load_manifests_now().await;
        supervisor.recompile().await;
        let ports: BTreeMap<String, u16> = bound
            .iter()
            .map(|e| (e.spec().name.clone(), e.local_addr().port()))
            .collect();
        for mut ep in bound {
            resolve_redirect(&mut ep, &|name| ports.get(name).copied());
            let name = ep.spec().name.clone();
            if let Some(routers) = supervisor.routers.get(&name).cloned() {
                let running = routers.serve(ep, &supervisor.tls);
                supervisor.entrypoints.insert(name, running);
            }
        }
        supervisor.start_file_provider();
        supervisor.start_kubernetes_providers();
        supervisor
    }

    /// Applies changes until asked to stop.
    pub(super) async fn run(mut self, mut inbox: mpsc::Receiver<Command>) {
        let Some(mut updates) = self.inbox_updates.take() else {
            return;
        };
        loop {
            tokio::select! {
                command = inbox.recv() => match command {
                    Some(Command::Install(install, reply)) => {
                        let report = self.reload_install(*install).await;
                        let _ = reply.send(report);
                    }
                    Some(Command::Routing { provider, model, reply }) => {
                        self.routing.set_model(&provider, *model);
                        self.recompile().await;
                        let _ = reply.send(lock(&self.shared.status).clone());
                    }
                    Some(Command::ReloadProviders(reply)) => {
                        if let Some(file) = self.install.providers.file.clone() {
                            self.load_file_provider_now(&file).await;
                        }
                        self.load_manifests_now().await;
                        self.recompile().await;
                        let _ = reply.send(lock(&self.shared.status).clone());
                    }
                    Some(Command::Shutdown(done)) => {
                        self.shutdown().await;
                        let _ = done.send(());
                        return;
                    }
                    None => {
                        self.shutdown().await;
                        return;
                    }
                },
                Some(update) = updates.recv() => self.on_provider_update(update).await,
            }
        }
    }

    async fn on_provider_update(&mut self, update: ProviderUpdate) {
        match update.result {
            Ok(provided) => {
                for warning in &provided.warnings {
                    warn!(provider = update.provider, "{warning}");
                }
                let sources = provided.sources;
                if self.routing.set_raw(update.provider, provided) {
                    info!(provider = update.provider, sources, "configuration changed");
                    self.recompile().await;
                } else {
                    info!(provider = update.provider, "configuration unchanged");
                }
            }
            Err(error) => error!(
                provider = update.provider,
                "{error}; keeping the last good configuration"
            ),
        }
    }

    /// Loads the file provider synchronously (at start and when its settings change).
    pub(super) async fn load_file_provider_now(&mut self, spec: &FileProviderSpec) {
        let spec = spec.clone();
        match crate::control::low_priority(move || portico_provider_file::load(&spec)).await {
            Some(Ok(loaded)) => {
                for warning in &loaded.warnings {
                    warn!(provider = "file", "{warning}");
                }
                self.routing.set_raw("file", loaded.into());
            }
            Some(Err(error)) => error!(provider = "file", "{error}; serving without its routers"),
            None => error!("file provider load failed"),
        }
    }

    /// Loads the manifests of Kubernetes providers that read them (at start and
    /// when their settings change), so their routers serve from the first request.
    pub(super) async fn load_manifests_now(&mut self) {
        for provider in KubernetesProvider::configured(&self.install) {
            if provider.client().manifests.is_empty() {
                continue;
            }
            let name = provider.name();
            let task = provider.clone();
            match crate::control::low_priority(move || providers::load_manifests(&task)).await {
                Some(Ok(provided)) => {
                    for warning in &provided.warnings {
                        warn!(provider = name, "{warning}");
                    }
                    self.routing.set_raw(name, provided);
                }
                Some(Err(error)) => {
                    error!(provider = name, "{error}; keeping its last good objects")
                }
                None => error!(provider = name, "manifest load failed"),
            }
        }
    }

    /// (Re)starts the Kubernetes providers' tasks for the current settings, and
    /// forgets providers no longer configured.
    pub(super) fn start_kubernetes_providers(&mut self) {
        for task in self.kubernetes.drain(..) {
            task.abort();
        }
        let configured = KubernetesProvider::configured(&self.install);
        for name in [
            portico_provider_kubernetes::crd::PROVIDER,
            portico_provider_kubernetes::ingress::PROVIDER,
        ] {
            if !configured.iter().any(|p| p.name() == name) {
                self.routing.remove(name);
            }
        }
        for provider in configured {
            self.kubernetes.push(providers::watch_kubernetes(
                provider,
                self.install.providers.throttle,
                self.updates.clone(),
            ));
        }
    }

    /// Starts watching the file provider's files, if configured with `watch`.
    pub(super) fn start_file_provider(&mut self) {
        if let Some(task) = self.file_provider.take() {
            task.abort();
        }
        if let Some(file) = &self.install.providers.file
            && file.watch
        {
            self.file_provider = providers::watch_file(
                file.clone(),
                self.install.providers.throttle,
                self.updates.clone(),
            );
        }
    }

    /// The entrypoints routers may attach to, with their middlewares.
    pub(super) fn entry_set(&self) -> EntryPointSet {
        let specs: Vec<&EntryPointSpec> = self.install.entry_points.values().collect();
        specs.iter().fold(
            EntryPointSet::new(specs.iter().map(|e| (e.name.as_str(), e.as_default))),
            |set, e| {
                let set = set.with_middlewares(&e.name, e.http.middlewares.clone());
                match &e.tls {
                    Some(tls) => set.with_tls(&e.name, tls.options.clone()),
                    None => set,
                }
            },
        )
    }

    /// Compiles every provider's configuration and publishes the tables.
    pub(super) async fn recompile(&mut self) {
        let Some((mut compiled, model)) = self.routing.compile(self.entry_set()).await else {
            return;
        };
        // Also without any resolver running: a router naming one gets an error.
        let wanted = acme::wanted(&model, &self.install, &mut compiled.status);
        if let Some(acme) = &self.acme {
            acme.want(wanted);
        }
        for (entrypoint, table) in compiled.tables {
            if let Some(routers) = self.routers.get(&entrypoint) {
                routers.http.publish(table);
            }
        }
        for (entrypoint, table) in compiled.tls_tables {
            if let Some(routers) = self.routers.get(&entrypoint) {
                routers.https.publish(table);
            }
        }
        self.tls.publish(compiled.tls);
        for problem in compiled.status.problems() {
            error!("{problem}");
        }
        let enabled = compiled.status.enabled_routers();
        let total = compiled.status.routers.len();
        if enabled < total {
            warn!(enabled, total, "some routers are disabled");
        }
        info!(
            routers = enabled,
            compile_ms = self.routing.last_compile.as_secs_f64() * 1e3,
            "routing configuration applied"
        );
        *lock(&self.shared.status) = compiled.status;
        self.shared.applied.send_modify(|n| *n += 1);
    }

    /// Publishes the current addresses for handles.
    pub(super) fn publish_addresses(&self) {
        *lock(&self.shared.addresses) = self
            .entrypoints
            .iter()
            .map(|(name, e)| (name.clone(), e.local_addr()))
            .collect();
    }

    async fn shutdown(&mut self) {
        if let Some(task) = self.file_provider.take() {
            task.abort();
        }
        for task in self.kubernetes.drain(..) {
            task.abort();
        }
        let drains: Vec<_> = std::mem::take(&mut self.entrypoints)
            .into_values()
            .map(|e| tokio::spawn(e.shutdown()))
            .chain(std::mem::take(&mut self.draining))
            .collect();
        for drain in drains {
            if let Err(error) = drain.await {
                error!(%error, "entrypoint drain task failed");
            }
        }
    }
}

/// An entrypoint's two routers: plain HTTP routers and TLS routers.
#[derive(Clone, Debug)]
pub(super) struct Routers {
    pub(super) http: Router,
    pub(super) https: Router,
    /// HTTP-01 answers, when this entrypoint is a resolver's `httpChallenge`
    /// entrypoint.
    pub(super) http01: Option<Http01Tokens>,
}

impl Routers {
    pub(super) fn new() -> Routers {
        Routers {
            http: Router::new(RouteTable::empty()),
            https: Router::new(RouteTable::empty()),
            http01: None,
        }
    }

    /// Serves `entrypoint` with these routers; every entrypoint also terminates
    /// TLS (as Traefik's do), answering with the TLS routers. On a challenge
    /// entrypoint, plain-HTTP requests under `/.well-known/acme-challenge/` are
    /// answered first (Traefik's highest-priority internal router).
    pub(super) fn serve(
        &self,
        entrypoint: EntryPoint,
        tls: &Arc<TlsRegistry>,
    ) -> RunningEntryPoint {
        let bypass = entrypoint.spec().allow_acme_bypass;
        entrypoint.serve_tls(
            Http01Router::new(self.http.clone(), self.http01.clone(), bypass),
            Http01Router::new(self.https.clone(), None, false),
            tls.clone(),
        )
    }
}

/// Points a redirection to another entrypoint at that entrypoint's bound port.
pub(super) fn resolve_redirect(ep: &mut EntryPoint, port_of: &dyn Fn(&str) -> Option<u16>) {
    if let Some(redirect) = &mut ep.spec_mut().redirect
        && let Some(target) = redirect.entry_point.clone()
        && let Some(port) = port_of(&target)
    {
        redirect.port = port;
    }
}
