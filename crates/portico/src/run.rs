//! `portico run` and `portico validate`.

use std::process::ExitCode;

use std::time::Duration;

use portico::{AppHandle, BoundApp, load_routing};
use portico_config::model::LogFormat;
use portico_provider_file::Watch;
use tracing::{error, info, warn};

use crate::{EX_CONFIG, cli::ConfigArgs, install};

/// Runs the proxy until SIGTERM or SIGINT.
pub(crate) fn run(args: &ConfigArgs) -> ExitCode {
    let loaded = match install::load(args, std::env::vars()) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("portico: {error}");
            return ExitCode::from(EX_CONFIG);
        }
    };
    let log = &loaded.model.log;
    let format = match log.format {
        LogFormat::Common => portico_telemetry::Format::Common,
        LogFormat::Json => portico_telemetry::Format::Json,
    };
    if let Err(error) = portico_telemetry::init(&log.level, format, log.file_path.as_deref()) {
        eprintln!("portico: {error}");
        return ExitCode::from(EX_CONFIG);
    }
    match &loaded.file {
        Some(file) => info!(file = %file.display(), "install configuration loaded"),
        None => info!("no configuration file found; using defaults, environment and flags"),
    }
    for warning in &loaded.model.warnings {
        warn!("{warning}");
    }
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("portico: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let watch_static = loaded.model.watch_static;
    runtime.block_on(async move {
        let install = loaded.model;
        // Before anything serves: a SIGTERM sent as soon as an entrypoint answers
        // must drain, not kill the process with the default action.
        let mut signals = match Signals::new() {
            Ok(signals) => signals,
            Err(e) => {
                error!(error = %e, "cannot listen for signals");
                return ExitCode::FAILURE;
            }
        };
        let bound = match BoundApp::bind(install) {
            Ok(bound) => bound,
            Err(error) => {
                error!("{error}");
                eprintln!("portico: {error}");
                return ExitCode::FAILURE;
            }
        };
        for (name, addr) in bound.addresses() {
            info!(entrypoint = %name, address = %addr, "entrypoint bound");
        }
        let app = bound.start().await;
        let handle = app.handle();
        let mut static_watch = match (&loaded.file, watch_static) {
            (Some(file), true) => match Watch::new(file, Duration::from_millis(500)) {
                Ok(watch) => {
                    info!(file = %file.display(), "watching the install configuration");
                    Some(watch)
                }
                Err(e) => {
                    error!(file = %file.display(), error = %e, "cannot watch the install configuration");
                    None
                }
            },
            _ => None,
        };
        loop {
            let static_changed = async {
                match static_watch.as_mut() {
                    Some(watch) => watch.changed().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                signal = signals.next() => match signal {
                    Signal::Stop(name) => {
                        info!("{name} received; stopping");
                        break;
                    }
                    Signal::Reload => {
                        info!("SIGHUP received; reloading the install configuration");
                        reload(args, &handle).await;
                    }
                },
                true = static_changed => {
                    info!("install configuration file changed; reloading it");
                    reload(args, &handle).await;
                }
            }
        }
        app.shutdown().await;
        info!("stopped");
        ExitCode::SUCCESS
    })
}

/// Re-reads the install configuration and applies it; an invalid one is refused
/// whole and the running configuration stays.
async fn reload(args: &ConfigArgs, handle: &AppHandle) {
    match install::load(args, std::env::vars()) {
        Ok(loaded) => {
            for warning in &loaded.model.warnings {
                warn!("{warning}");
            }
            let report = handle.reload_install(loaded.model).await;
            if !report.failed.is_empty() {
                error!(failed = ?report.failed, "some install changes were not applied");
            }
        }
        Err(e) => error!("{e}; keeping the running configuration"),
    }
}

/// The signals `portico run` reacts to.
enum Signal {
    /// SIGTERM or SIGINT: drain and stop.
    Stop(&'static str),
    /// SIGHUP: reload the install configuration.
    Reload,
}

struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.term.recv() => Signal::Stop("SIGTERM"),
            _ = self.int.recv() => Signal::Stop("SIGINT"),
            _ = self.hup.recv() => Signal::Reload,
        }
    }
}

/// The tokio runtime: one worker per CPU this process may run on; with a single
/// CPU, a current-thread runtime (no work-stealing machinery, no cross-thread
/// wake-ups).
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cpus)
            .enable_all()
            .build()
    }
}

/// Loads and checks everything, prints the problems, and exits: 0 when the
/// configuration is usable as is, 78 otherwise.
pub(crate) fn validate(args: &ConfigArgs) -> ExitCode {
    let loaded = match install::load(args, std::env::vars()) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("portico: {error}");
            return ExitCode::from(EX_CONFIG);
        }
    };
    let mut problems = 0;
    for warning in &loaded.model.warnings {
        println!("warning: {warning}");
    }
    match load_routing(&loaded.model) {
        Ok((model, warnings)) => {
            for warning in warnings {
                println!("warning: {warning}");
            }
            for (name, router) in &model.routers {
                if let Err(errors) = router {
                    for e in errors {
                        problems += 1;
                        println!("error: router {name}: {e}");
                    }
                }
            }
            for (name, service) in &model.services {
                if let Err(errors) = service {
                    for e in errors {
                        problems += 1;
                        println!("error: service {name}: {e}");
                    }
                }
            }
            println!(
                "{} routers, {} services, {problems} errors",
                model.routers.len(),
                model.services.len()
            );
        }
        Err(error) => {
            problems += 1;
            println!("error: {error}");
        }
    }
    if problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EX_CONFIG)
    }
}
