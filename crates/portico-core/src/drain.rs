//! Long-lived work that outlives its request (upgraded connections), tracked so an
//! entrypoint can drain it.

use std::future::Future;

use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// The drain handle of an entrypoint, carried in the extensions of the requests that
/// ask for a protocol upgrade (those marked with hyper's `OnUpgrade`).
///
/// An upgraded connection (a WebSocket splice, an h2c connection) is no longer a
/// request the HTTP server knows about. Code that spawns such work does it through
/// [`Drain::spawn`], so that when the entrypoint stops it can wait for that work
/// (up to its grace period) and then tell it to stop ([`Drain::stopped`]).
///
/// # Example
///
/// ```
/// use portico_core::Drain;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let drain = Drain::new();
/// let stop = drain.clone();
/// drain.spawn(async move {
///     tokio::select! {
///         _ = stop.stopped() => {}            // the entrypoint is closing
///         _ = std::future::pending::<()>() => {} // the splice, normally
///     }
/// });
/// drain.close_and_wait(std::time::Duration::from_millis(10)).await;
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Drain {
    tracker: TaskTracker,
    stop: CancellationToken,
}

impl Drain {
    /// A new, open drain.
    pub fn new() -> Drain {
        Drain::default()
    }

    /// Spawns tracked work.
    pub fn spawn<F>(&self, future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn(future);
    }

    /// Resolves once the entrypoint wants tracked work to stop now.
    pub async fn stopped(&self) {
        self.stop.cancelled().await;
    }

    /// Waits up to `grace` for tracked work to end by itself, then tells what is
    /// left to stop and waits for it to wind down.
    pub async fn close_and_wait(&self, grace: std::time::Duration) {
        self.tracker.close();
        if tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::debug!(
                left = self.tracker.len(),
                "upgraded connections still open after grace; closing them"
            );
            self.stop.cancel();
            self.tracker.wait().await;
        }
    }
}
