//! Applying a new install configuration: the entrypoint diff, providers, and what
//! cannot change live.

use std::collections::BTreeSet;

use portico_config::{model::InstallModel, validate::RoutingOptions};

use portico_server::{EntryPoint, RunningEntryPoint};
use tracing::{error, info, warn};

use super::{
    ReloadReport,
    supervisor::{Routers, Supervisor},
};

/// An entrypoint waiting to be served once the new tables are in place.
enum Pending {
    /// A new name, or a new address for an existing name (the old one then drains).
    Bound(EntryPoint),
}

impl Supervisor {
    /// Diffs `new` against what runs and applies what can change live.
    ///
    /// Order, so that no request is refused or lost: bind everything new first (a
    /// failure leaves that entrypoint as it was), compile tables for the new
    /// entrypoint set, start serving the new listeners, and only then drain what
    /// they replace.
    pub(super) async fn reload_install(&mut self, mut new: InstallModel) -> ReloadReport {
        let mut report = ReloadReport::default();
        let old = std::mem::take(&mut self.install);
        let old_names: BTreeSet<String> = old.entry_points.keys().cloned().collect();
        let new_names: BTreeSet<String> = new.entry_points.keys().cloned().collect();

        let mut pending: Vec<(String, Pending)> = Vec::new();
        let mut same_socket: Vec<String> = Vec::new();
        for name in &new_names {
            let Some(spec) = new.entry_points.get(name).cloned() else {
                continue;
            };
            match old.entry_points.get(name) {
                None => match EntryPoint::bind(spec) {
                    Ok(bound) => pending.push((name.clone(), Pending::Bound(bound))),
                    Err(e) => {
                        report
                            .failed
                            .push(format!("entryPoints.{name}.address: {e}"));
                        new.entry_points.remove(name);
                    }
                },
                Some(current) if current == &spec => {}
                Some(current)
                    if current.address != spec.address || current.reuse_port != spec.reuse_port =>
                {
                    match EntryPoint::bind(spec) {
                        Ok(bound) => pending.push((name.clone(), Pending::Bound(bound))),
                        Err(e) => {
                            report.failed.push(format!(
                                "entryPoints.{name}.address: {e}; still serving on {}",
                                current.address
                            ));
                            new.entry_points.insert(name.clone(), current.clone());
                        }
                    }
                }
                Some(_) => same_socket.push(name.clone()),
            }
        }

        // Providers and routing options.
        let providers_changed = old.providers != new.providers;
        let options_changed = self.routing.set_options(RoutingOptions {
            default_rule_syntax: new.default_rule_syntax,
        });
        for (key, changed) in [
            ("log", old.log != new.log),
            (
                "serversTransport",
                old.servers_transport != new.servers_transport,
            ),
        ] {
            if changed {
                report
                    .not_applied
                    .push(format!("{key}: changes apply after a restart"));
            }
        }
        self.install = new;

        // Tables for the new entrypoint set, before anything new serves.
        for (name, _) in &pending {
            let http01 = self
                .acme
                .as_ref()
                .filter(|a| a.http01_entry_points.contains(name))
                .map(|a| a.http01.clone());
            self.routers
                .entry(name.clone())
                .or_insert_with(Routers::new)
                .http01 = http01;
        }
        if providers_changed {
            if let Some(file) = self.install.providers.file.clone() {
                self.load_file_provider_now(&file).await;
            } else {
                self.routing.remove("file");
            }
            self.start_file_provider();
            self.load_manifests_now().await;
            self.start_kubernetes_providers();
        }
        let set_changed = old_names != new_names || !same_socket.is_empty() || !pending.is_empty();
        if set_changed || providers_changed || options_changed {
            self.recompile().await;
        }

        // Serve what was bound; drain what it replaces.
        let mut ports: std::collections::BTreeMap<String, u16> = self
            .entrypoints
            .iter()
            .map(|(n, e)| (n.clone(), e.local_addr().port()))
            .collect();
        for (name, Pending::Bound(bound)) in &pending {
            ports.insert(name.clone(), bound.local_addr().port());
        }
        for (name, Pending::Bound(mut bound)) in pending {
            super::supervisor::resolve_redirect(&mut bound, &|n| ports.get(n).copied());
            let Some(router) = self.routers.get(&name).cloned() else {
                continue;
            };
            let running = router.serve(bound, &self.tls);
            info!(entrypoint = %name, address = %running.local_addr(), "entrypoint started");
            match self.entrypoints.insert(name.clone(), running) {
                Some(replaced) => {
                    self.drain_in_background(replaced);
                    report.rebound.push(name);
                }
                None => report.started.push(name),
            }
        }
        for name in same_socket {
            let (Some(current), Some(spec), Some(router)) = (
                self.entrypoints.remove(&name),
                self.install.entry_points.get(&name).cloned(),
                self.routers.get(&name).cloned(),
            ) else {
                continue;
            };
            match current.same_socket(spec) {
                Ok(mut next) => {
                    super::supervisor::resolve_redirect(&mut next, &|n| ports.get(n).copied());
                    let running = router.serve(next, &self.tls);
                    self.entrypoints.insert(name.clone(), running);
                    self.drain_in_background(current);
                    report.updated.push(name);
                }
                Err(e) => {
                    report
                        .failed
                        .push(format!("entryPoints.{name}: {e}; settings unchanged"));
                    self.entrypoints.insert(name, current);
                }
            }
        }
        for name in old_names.difference(&new_names) {
            if let Some(removed) = self.entrypoints.remove(name) {
                self.drain_in_background(removed);
                self.routers.remove(name);
                report.stopped.push(name.clone());
            }
        }
        if !report.stopped.is_empty() {
            // Tables of removed entrypoints are no longer compiled.
            self.recompile().await;
        }
        self.publish_addresses();

        for line in &report.failed {
            error!("install reload: {line}");
        }
        for line in &report.not_applied {
            warn!("install reload: {line}");
        }
        info!(
            started = ?report.started,
            stopped = ?report.stopped,
            rebound = ?report.rebound,
            updated = ?report.updated,
            "install configuration reloaded"
        );
        report
    }

    /// Drains an entrypoint by its `graceTimeOut`, without blocking the supervisor.
    fn drain_in_background(&mut self, entrypoint: RunningEntryPoint) {
        let grace = entrypoint.spec().life_cycle.grace;
        self.draining.retain(|task| !task.is_finished());
        self.draining.push(tokio::spawn(entrypoint.drain(grace)));
    }
}
