//! Process logging: installs the global `tracing` subscriber from Traefik's `log`
//! settings.
//!
//! Levels are Traefik's names, case-insensitive (`TRACE`, `DEBUG`, `INFO`, `WARN`,
//! `ERROR`, and `FATAL`/`PANIC` which log as `ERROR`); the `RUST_LOG` environment
//! variable, when set, overrides the level with a full `tracing` filter. Formats:
//! `common` (human-readable lines) or `json` (one object per line). Logs go to
//! standard error, or to `log.filePath` when set.
//!
//! Only the binary calls [`init`]; library code just emits `tracing` events.
//!
//! # Example
//!
//! ```
//! use portico_telemetry::{Format, level_filter};
//! assert_eq!(level_filter("Warn").unwrap(), "warn");
//! assert_eq!(level_filter("FATAL").unwrap(), "error");
//! assert!(level_filter("loud").is_err());
//! # let _ = Format::Json;
//! ```

use std::{fs::OpenOptions, path::Path, sync::Mutex};

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// The output format (`log.format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Human-readable lines.
    #[default]
    Common,
    /// One JSON object per line.
    Json,
}

/// Logging could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The level is not one of Traefik's.
    #[error(
        "log.level: unknown level {0:?} (expected TRACE, DEBUG, INFO, WARN, ERROR, FATAL or PANIC)"
    )]
    Level(String),
    /// `RUST_LOG` does not parse.
    #[error("RUST_LOG: invalid filter")]
    Filter(#[source] tracing_subscriber::filter::ParseError),
    /// The log file cannot be opened.
    #[error("log.filePath: cannot open {path}")]
    File {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A global subscriber is already installed.
    #[error("logging is already initialised")]
    AlreadySet,
}

/// The `tracing` filter directive for a Traefik level name.
pub fn level_filter(level: &str) -> Result<&'static str, TelemetryError> {
    Ok(match level.trim().to_ascii_lowercase().as_str() {
        "trace" => "trace",
        "debug" => "debug",
        "info" => "info",
        "warn" | "warning" => "warn",
        "error" | "fatal" | "panic" => "error",
        _ => return Err(TelemetryError::Level(level.to_owned())),
    })
}

/// Installs the global subscriber.
pub fn init(level: &str, format: Format, file: Option<&Path>) -> Result<(), TelemetryError> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => {
            EnvFilter::try_new(spec).map_err(TelemetryError::Filter)?
        }
        _ => EnvFilter::new(level_filter(level)?),
    };
    let writer = match file {
        Some(path) => {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|source| TelemetryError::File {
                    path: path.display().to_string(),
                    source,
                })?;
            fmt::writer::BoxMakeWriter::new(Mutex::new(file))
        }
        None => fmt::writer::BoxMakeWriter::new(std::io::stderr),
    };
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        Format::Common => registry
            .with(fmt::layer().with_writer(writer).with_target(false))
            .try_init(),
        Format::Json => registry
            .with(fmt::layer().json().with_writer(writer).with_target(false))
            .try_init(),
    };
    result.map_err(|_| TelemetryError::AlreadySet)
}
