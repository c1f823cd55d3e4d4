//! Loading routing configuration from the configured providers.

use portico_config::{
    model::{InstallModel, RoutingModel},
    validate::{self, RoutingOptions},
};
use portico_provider_file::LoadError;

/// A provider could not produce a configuration; the last good one stays.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The file provider failed.
    #[error("file provider: {0}")]
    File(#[from] LoadError),
}

/// Loads and validates the routing configuration of every configured provider.
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
        warnings.extend(loaded.warnings);
        let mut provided = validate::routing("file", &loaded.config, &options);
        warnings.append(&mut provided.warnings);
        model.extend(provided);
    }
    Ok((model, warnings))
}
