//! Control-plane work off the request path, at low CPU priority.

use thread_priority::{ThreadPriority, set_current_thread_priority};
use tokio::sync::oneshot;
use tracing::debug;

/// Runs `work` (reading, parsing, validating and compiling configuration) on a
/// thread of its own at the lowest CPU priority (`nice` 19), and returns its
/// result; `None` if the thread could not start or `work` panicked.
///
/// On a proxy with few cores, a reload must not take CPU from requests: a busy
/// core gives this thread only what the request path leaves, so a reload costs
/// latency (when the core is saturated) rather than throughput.
pub(crate) async fn low_priority<T, F>(work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("portico-control".to_owned())
        .spawn(move || {
            if let Err(error) = set_current_thread_priority(ThreadPriority::Min) {
                debug!(?error, "cannot lower the control thread's priority");
            }
            let _ = tx.send(work());
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start a control-plane thread");
        return None;
    }
    rx.await.ok()
}
