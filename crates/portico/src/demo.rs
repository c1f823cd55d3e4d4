//! `portico whoami` and `portico demo`.

use std::{ffi::OsString, process::ExitCode};

use crate::{cli, run};

/// The demo's backends; `config/dynamic/demo.yaml` routes to them.
const DEMO_BACKENDS: [(&str, &str); 2] = [
    ("127.0.0.1:9001", "whoami-1"),
    ("127.0.0.1:9002", "whoami-2"),
];

/// The demo's install configuration, relative to the repository root.
const DEMO_CONFIG: &str = "config/portico.yaml";

/// Runs the whoami echo backend until SIGTERM/SIGINT.
pub(crate) fn whoami(address: &str, name: Option<String>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("portico whoami: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let listener = match portico_whoami::bind(address).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("portico whoami: {error}");
                return ExitCode::FAILURE;
            }
        };
        if let Ok(addr) = listener.local_addr() {
            eprintln!("whoami listening on {addr}");
        }
        match portico_whoami::serve(listener, name, stop()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("portico whoami: {error}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Starts the two demo backends in threads, then runs the proxy on the demo
/// configuration with the entrypoint on `address`.
pub(crate) fn demo(address: &str, extra: cli::ConfigArgs) -> ExitCode {
    if !std::path::Path::new(DEMO_CONFIG).is_file() {
        eprintln!("portico demo: {DEMO_CONFIG} not found; run the demo from the repository root");
        return ExitCode::from(crate::EX_CONFIG);
    }
    for (addr, name) in DEMO_BACKENDS {
        let listener = match std::net::TcpListener::bind(addr) {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("portico demo: cannot start the demo backend on {addr}: {error}");
                return ExitCode::FAILURE;
            }
        };
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async move {
                    let _ = listener.set_nonblocking(true);
                    if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
                        let _ = portico_whoami::serve(
                            listener,
                            Some(name.to_owned()),
                            std::future::pending(),
                        )
                        .await;
                    }
                });
            }
        });
    }
    eprintln!(
        "demo backends on http://{} and http://{}",
        DEMO_BACKENDS[0].0, DEMO_BACKENDS[1].0
    );
    eprintln!(
        "try: curl http://{address}/   and   curl -H 'Host: whoami.localhost' http://{address}/api"
    );
    let args = [
        OsString::from("portico"),
        OsString::from(format!("--configFile={DEMO_CONFIG}")),
        OsString::from(format!("--entryPoints.web.address={address}")),
    ];
    match cli::parse(args) {
        Ok(cli::Command::Run(mut config)) => {
            config.flags.extend(extra.flags);
            run::run(&config)
        }
        _ => ExitCode::FAILURE,
    }
}

/// Resolves on SIGTERM or SIGINT.
async fn stop() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
