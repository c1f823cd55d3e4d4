//! Splicing upgraded connections (WebSocket and other `Upgrade` protocols).

use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use portico_core::Drain;
use tracing::debug;

/// Once both sides have switched protocols, copies bytes both ways until either
/// side closes. Runs in its own task so the `101` response can be sent first; with
/// the entrypoint's [`Drain`] the task is tracked, and closed when the entrypoint's
/// grace period is over.
pub(crate) fn splice(
    downstream: OnUpgrade,
    upstream: OnUpgrade,
    backend: String,
    drain: Option<Drain>,
) {
    let stop = drain.clone();
    let task = async move {
        let (downstream, upstream) = match tokio::try_join!(downstream, upstream) {
            Ok(pair) => pair,
            Err(error) => {
                debug!(%backend, %error, "upgrade did not complete");
                return;
            }
        };
        let mut downstream = TokioIo::new(downstream);
        let mut upstream = TokioIo::new(upstream);
        let copy = tokio::io::copy_bidirectional(&mut downstream, &mut upstream);
        let result = match &stop {
            Some(stop) => tokio::select! {
                result = copy => result,
                () = stop.stopped() => {
                    debug!(%backend, "upgraded connection closed by drain");
                    return;
                }
            },
            None => copy.await,
        };
        match result {
            Ok((to_backend, to_client)) => {
                debug!(%backend, to_backend, to_client, "upgraded connection closed");
            }
            Err(error) => debug!(%backend, %error, "upgraded connection failed"),
        }
    };
    match drain {
        Some(drain) => drain.spawn(task),
        None => {
            tokio::spawn(task);
        }
    }
}
