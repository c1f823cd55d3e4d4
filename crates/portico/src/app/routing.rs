//! The routing side of the supervisor: each provider's last good configuration,
//! compiled together off the request path.

use std::{collections::BTreeMap, sync::Arc};

use portico_config::{
    model::RoutingModel,
    validate::{self, RoutingOptions},
};
use portico_proxy::Transport;
use portico_router::{Compiled, Compiler, EntryPointSet};
use portico_tls::TlsRegistry;
use tracing::warn;

use crate::providers::Provided;

/// What one provider last gave that was good.
#[derive(Debug)]
enum Source {
    /// Raw configuration (the file and Kubernetes providers), validated at each
    /// compilation.
    Raw(Box<Provided>),
    /// An already validated model (a library user's own provider).
    Model(Box<RoutingModel>),
}

/// Every provider's routing configuration and the compiler that turns them into
/// route tables.
#[derive(Debug)]
pub(super) struct Routing {
    options: RoutingOptions,
    providers: BTreeMap<String, Source>,
    transport: Transport,
    tls: Arc<TlsRegistry>,
    compiler: Option<Compiler>,
    /// How long the last validation and compilation took.
    pub(super) last_compile: std::time::Duration,
}

impl Routing {
    pub(super) fn new(
        options: RoutingOptions,
        transport: Transport,
        tls: Arc<TlsRegistry>,
    ) -> Routing {
        Routing {
            options,
            providers: BTreeMap::new(),
            compiler: Some(Compiler::with_tls(transport.clone(), tls.clone())),
            transport,
            tls,
            last_compile: std::time::Duration::ZERO,
        }
    }

    pub(super) fn set_options(&mut self, options: RoutingOptions) -> bool {
        let changed = self.options != options;
        self.options = options;
        changed
    }

    /// Records a provider's raw configuration; `false` when it is unchanged (then
    /// nothing needs compiling).
    pub(crate) fn set_raw(&mut self, provider: &str, provided: Provided) -> bool {
        if let Some(Source::Raw(previous)) = self.providers.get(provider)
            && previous.config == provided.config
            && previous.failed == provided.failed
        {
            return false;
        }
        self.providers
            .insert(provider.to_owned(), Source::Raw(Box::new(provided)));
        true
    }

    /// Records a provider's validated model.
    pub(super) fn set_model(&mut self, provider: &str, model: RoutingModel) {
        self.providers
            .insert(provider.to_owned(), Source::Model(Box::new(model)));
    }

    /// Forgets a provider.
    pub(super) fn remove(&mut self, provider: &str) {
        self.providers.remove(provider);
    }

    /// Validates every provider's configuration and compiles the lot for
    /// `entry_points`, on a low-priority thread (with ten thousand routers this
    /// takes tens of milliseconds, which must not stall the request path).
    pub(super) async fn compile(
        &mut self,
        entry_points: EntryPointSet,
    ) -> Option<(Compiled, RoutingModel)> {
        let mut compiler = self
            .compiler
            .take()
            .unwrap_or_else(|| Compiler::with_tls(self.transport.clone(), self.tls.clone()));
        let mut model = RoutingModel::default();
        let mut raws = Vec::new();
        for (provider, source) in &self.providers {
            match source {
                Source::Raw(raw) => raws.push((provider.clone(), (**raw).clone())),
                Source::Model(m) => model.extend((**m).clone()),
            }
        }
        let options = self.options;
        let task = crate::control::low_priority(move || {
            let started = std::time::Instant::now();
            for (provider, raw) in &raws {
                model.extend(crate::providers::validate_provided(provider, raw, &options));
            }
            validate::service_graph(&mut model);
            for warning in &model.warnings {
                warn!("{warning}");
            }
            let validated = started.elapsed();
            let compiled = compiler.compile(&model, &entry_points);
            tracing::debug!(
                validate_ms = validated.as_secs_f64() * 1e3,
                total_ms = started.elapsed().as_secs_f64() * 1e3,
                "routing compiled"
            );
            (compiler, compiled, model, started.elapsed())
        });
        match task.await {
            Some((compiler, compiled, model, took)) => {
                self.compiler = Some(compiler);
                self.last_compile = took;
                Some((compiled, model))
            }
            None => {
                // A panic in validation or compilation is a bug: the previous tables
                // keep serving; the next compilation starts from a fresh compiler.
                tracing::error!("routing compilation failed");
                None
            }
        }
    }
}
