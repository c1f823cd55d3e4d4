//! Routing configuration from the configured providers: the file provider and
//! the Kubernetes providers (CRD and Ingress), each sending its whole
//! configuration to the supervisor when it changes.

mod file;
mod kubernetes;

use portico_config::{
    model::{InstallModel, RoutingModel},
    raw::RoutingConfig,
    validate::{self, RoutingOptions},
};
use portico_provider_file::{LoadError, Loaded};
use portico_provider_kubernetes::{manifests::ManifestError, translation::Failures};

pub(crate) use self::{
    file::watch_file,
    kubernetes::{KubernetesProvider, load_manifests, watch_kubernetes},
};

/// A provider could not produce a configuration; the last good one stays.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The file provider failed.
    #[error("file provider: {0}")]
    File(#[from] LoadError),
    /// A Kubernetes provider's manifests could not be read.
    #[error("{provider} provider: {source}")]
    Manifests {
        /// `kubernetescrd` or `kubernetes`.
        provider: &'static str,
        /// Why.
        #[source]
        source: ManifestError,
    },
    /// A Kubernetes provider's `labelSelector` does not parse.
    #[error("{provider} provider: labelSelector: {source}")]
    Selector {
        /// `kubernetescrd` or `kubernetes`.
        provider: &'static str,
        /// Why.
        #[source]
        source: portico_provider_kubernetes::selector::SelectorError,
    },
}

/// One provider's whole configuration, as it last produced it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Provided {
    /// The routing configuration.
    pub(crate) config: RoutingConfig,
    /// Routers, services and middlewares that could not be produced, with why.
    pub(crate) failed: Failures,
    /// Notes to log.
    pub(crate) warnings: Vec<String>,
    /// How many files or objects it was made from.
    pub(crate) sources: usize,
}

impl From<RoutingConfig> for Provided {
    fn from(config: RoutingConfig) -> Provided {
        Provided {
            config,
            ..Provided::default()
        }
    }
}

impl From<Loaded> for Provided {
    fn from(loaded: Loaded) -> Provided {
        Provided {
            config: loaded.config,
            failed: Failures::default(),
            warnings: loaded.warnings,
            sources: loaded.files.len(),
        }
    }
}

/// Validates a provider's configuration and adds what it could not produce as
/// disabled entries, with their reasons.
pub(crate) fn validate_provided(
    provider: &str,
    provided: &Provided,
    options: &RoutingOptions,
) -> RoutingModel {
    use portico_config::model::QualifiedName;
    let mut model = validate::routing(provider, &provided.config, options);
    let failed = &provided.failed;
    for (name, reasons) in &failed.routers {
        model
            .routers
            .insert(QualifiedName::new(name, provider), Err(reasons.clone()));
    }
    for (name, reasons) in &failed.services {
        model
            .services
            .insert(QualifiedName::new(name, provider), Err(reasons.clone()));
    }
    for (name, reasons) in &failed.middlewares {
        model
            .middlewares
            .insert(QualifiedName::new(name, provider), Err(reasons.clone()));
    }
    model
}

/// Loads and validates the routing configuration of every configured provider,
/// once (what `portico validate` checks). Kubernetes providers are included when
/// they read manifests; an API server is not contacted.
///
/// Returns the merged model and warning lines (duplicates skipped, settings
/// accepted but not applied).
pub fn load_routing(install: &InstallModel) -> Result<(RoutingModel, Vec<String>), ProviderError> {
    let options = RoutingOptions {
        default_rule_syntax: install.default_rule_syntax,
    };
    let mut model = RoutingModel::default();
    let mut warnings = Vec::new();
    if let Some(file) = &install.providers.file {
        let loaded = portico_provider_file::load(file)?;
        let provided = Provided::from(loaded);
        warnings.extend(provided.warnings.iter().cloned());
        let mut validated = validate::routing("file", &provided.config, &options);
        warnings.append(&mut validated.warnings);
        model.extend(validated);
    }
    for provider in KubernetesProvider::configured(install) {
        if provider.client().manifests.is_empty() {
            warnings.push(format!(
                "{}: objects from the API server are not checked offline",
                provider.name()
            ));
            continue;
        }
        let provided = load_manifests(&provider)?;
        warnings.extend(provided.warnings.iter().cloned());
        let mut validated = validate_provided(provider.name(), &provided, &options);
        warnings.append(&mut validated.warnings);
        model.extend(validated);
    }
    validate::service_graph(&mut model);
    Ok((model, warnings))
}
