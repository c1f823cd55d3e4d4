//! Watching the file provider's files.

use std::time::Duration;

use portico_config::model::FileProviderSpec;
use portico_provider_file::Watch;
use tokio::{sync::mpsc, task::JoinHandle};
use tracing::error;

use crate::app::ProviderUpdate;

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
                result: result.map(Into::into).map_err(|e| e.to_string()),
            };
            if updates.send(update).await.is_err() {
                return;
            }
        }
    }))
}
