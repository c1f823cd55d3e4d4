//! `portico run` and `portico validate`.

use std::process::ExitCode;

use portico::{BoundApp, load_routing};
use portico_config::model::LogFormat;
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
    runtime.block_on(async move {
        let install = loaded.model;
        let bound = match BoundApp::bind(install.clone()) {
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
        match load_routing(&install) {
            Ok((model, warnings)) => {
                for warning in warnings {
                    warn!("{warning}");
                }
                bound.apply(&model);
            }
            Err(error) => error!("{error}; serving without routers"),
        }
        let app = bound.serve();
        wait_for_stop().await;
        info!("stopping");
        app.shutdown().await;
        info!("stopped");
        ExitCode::SUCCESS
    })
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

/// Resolves on SIGTERM or SIGINT.
async fn wait_for_stop() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(error) => {
            error!(%error, "cannot listen for SIGTERM; stopping on Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => info!("SIGTERM received"),
        _ = tokio::signal::ctrl_c() => info!("SIGINT received"),
    }
}
