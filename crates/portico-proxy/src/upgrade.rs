//! Splicing upgraded connections (WebSocket and other `Upgrade` protocols).

use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tracing::debug;

/// Once both sides have switched protocols, copies bytes both ways until either
/// side closes. Runs in its own task so the `101` response can be sent first.
pub(crate) fn splice(downstream: OnUpgrade, upstream: OnUpgrade, backend: String) {
    tokio::spawn(async move {
        let (downstream, upstream) = match tokio::try_join!(downstream, upstream) {
            Ok(pair) => pair,
            Err(error) => {
                debug!(%backend, %error, "upgrade did not complete");
                return;
            }
        };
        let mut downstream = TokioIo::new(downstream);
        let mut upstream = TokioIo::new(upstream);
        match tokio::io::copy_bidirectional(&mut downstream, &mut upstream).await {
            Ok((to_backend, to_client)) => {
                debug!(%backend, to_backend, to_client, "upgraded connection closed");
            }
            Err(error) => debug!(%backend, %error, "upgraded connection failed"),
        }
    });
}
