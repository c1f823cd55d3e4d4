//! Routing configuration from the configured providers.

use std::time::Duration;

use portico_config::{
    model::{FileProviderSpec, InstallModel, RoutingModel},
    validate::{self, RoutingOptions},
};
use portico_provider_file::{LoadError, Watch};
use tokio::{sync::mpsc, task::JoinHandle};
use tracing::error;

use crate::app::ProviderUpdate;

/// A provider could not produce a configuration; the last good one stays.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The file provider failed.
    #[error("file provider: {0}")]
    File(#[from] LoadError),
}

/// Loads and validates the routing configuration of every configured provider,
/// once (what `portico validate` checks).
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
    validate::service_graph(&mut model);
    Ok((model, warnings))
}

/// Watches the file provider's file or directory and sends every reload, until the
/// supervisor goes away.
pub(crate) fn watch_file(
    spec: FileProviderSpec,
    throttle: Duration,
    updates: mpsc::Sender<ProviderUpdate>,
) -> Option<JoinHandle<()>> {
    let path = spec.filename.clone().or_else(|| spec.directory.clone())?;
    let mut watch = match Watch::new(&path, throttle) {
        Ok(watch) => watch,
        Err(e) => {
            error!(path = %path.display(), error = %e, "cannot watch the file provider's files; changes will not be seen");
            return None;
        }
    };
    Some(tokio::spawn(async move {
        while watch.changed().await {
            let spec = spec.clone();
            let Some(result) =
                crate::control::low_priority(move || portico_provider_file::load(&spec)).await
            else {
                error!("file provider load task failed");
                continue;
            };
            let update = ProviderUpdate {
                provider: "file",
                result,
            };
            if updates.send(update).await.is_err() {
                return;
            }
        }
    }))
}
