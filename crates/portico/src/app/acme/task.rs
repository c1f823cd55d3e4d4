//! The ACME task: obtains what routers want, renews what is due, and publishes
//! every change of the certificate set.

use std::{collections::BTreeSet, sync::Arc};

use portico_acme::{Backoff, CertDomains};
use tokio::{
    sync::{mpsc, watch},
    task::JoinSet,
    time::Instant,
};
use tracing::{debug, error, info, warn};

use super::{Resolvers, Wanted, publish};
use crate::app::ProviderUpdate;

/// Attempts of one order before it waits for the next renewal check (the backoff
/// between them starts at 30 s and doubles: about an hour in all).
const ATTEMPTS: u32 = 8;

/// One certificate of one resolver.
type Key = (String, CertDomains);

/// What a finished background job reports.
#[derive(Debug)]
enum Done {
    /// An order for `Key` finished; whether it succeeded.
    Obtained(Key, bool),
    /// A renewal check finished; whether anything was renewed.
    Renewed(bool),
}

/// Runs until the supervisor drops its [`super::AcmeRuntime`] (the `wanted`
/// sender); orders still running are then aborted.
///
/// Renewal is checked once at start (as Traefik does), then at the shortest check
/// interval of the stored certificates. Orders and renewals run as background jobs,
/// so neither blocks the other nor this loop; failures are retried with backoff
/// ([`portico_acme::Manager::ensure_with_retry`]) and then at the next renewal check,
/// never in a tight loop.
pub(super) async fn run(
    resolvers: Arc<Resolvers>,
    mut wanted_rx: watch::Receiver<Wanted>,
    updates: mpsc::Sender<ProviderUpdate>,
) {
    let mut jobs: JoinSet<Done> = JoinSet::new();
    let mut in_flight: BTreeSet<Key> = BTreeSet::new();
    let mut renewing = false;
    let mut next_check = Instant::now();
    let mut look = true;
    loop {
        if look {
            look = false;
            let wanted = wanted_rx.borrow_and_update().clone();
            order_missing(&resolvers, &wanted, &mut in_flight, &mut jobs);
        }
        tokio::select! {
            changed = wanted_rx.changed() => {
                if changed.is_err() {
                    return; // the supervisor is gone; dropping `jobs` aborts them
                }
                look = true;
            }
            Some(joined) = jobs.join_next() => match joined {
                Ok(Done::Obtained(key, ok)) => {
                    in_flight.remove(&key);
                    if ok {
                        publish(&resolvers, &updates).await;
                        next_check = next_check.min(Instant::now() + resolvers.check_interval());
                    }
                }
                Ok(Done::Renewed(renewed)) => {
                    renewing = false;
                    if renewed {
                        publish(&resolvers, &updates).await;
                    }
                    next_check = Instant::now() + resolvers.check_interval();
                    look = true; // orders that gave up are tried again
                }
                Err(e) => {
                    // A job panicked: forget what was in flight so it is tried again.
                    error!("ACME job failed: {e}");
                    in_flight.clear();
                    renewing = false;
                }
            },
            () = tokio::time::sleep_until(next_check), if !renewing => {
                renewing = true;
                let resolvers = resolvers.clone();
                jobs.spawn(async move { Done::Renewed(resolvers.renew_due().await) });
            }
        }
    }
}

/// Starts an order for every wanted certificate that is neither stored nor being
/// ordered.
fn order_missing(
    resolvers: &Resolvers,
    wanted: &Wanted,
    in_flight: &mut BTreeSet<Key>,
    jobs: &mut JoinSet<Done>,
) {
    for (resolver, sets) in wanted {
        let Some(manager) = resolvers.managers.get(resolver) else {
            warn!(resolver = %resolver, "routers name a certificate resolver that did not start (see its start-up error)");
            continue;
        };
        for domains in sets {
            let key = (resolver.clone(), domains.clone());
            if in_flight.contains(&key) {
                continue;
            }
            if manager.find(domains).is_some() {
                debug!(resolver = %resolver, domains = %domains, "no ACME certificate generation required: stored");
                continue;
            }
            in_flight.insert(key.clone());
            let manager = manager.clone();
            jobs.spawn(async move {
                let mut backoff = Backoff::default();
                let result = manager
                    .ensure_with_retry(&key.1, &mut backoff, ATTEMPTS)
                    .await;
                match &result {
                    Ok(cert) => {
                        info!(resolver = %key.0, domains = %key.1, serial = %cert.serial, "certificate obtained; serving it");
                    }
                    Err(e) => {
                        error!(resolver = %key.0, domains = %key.1, "certificate not obtained; tried again at the next renewal check or configuration change: {e}");
                    }
                }
                Done::Obtained(key, result.is_ok())
            });
        }
    }
}
