//! The command line: Traefik-style configuration flags plus a few subcommands.
//!
//! ```text
//! portico [run] [--configFile=PATH | -c PATH] [--<static.key>[=VALUE] ...]
//! portico validate [--configFile=PATH] [--<static.key>[=VALUE] ...]
//! portico whoami --address ADDR [--name NAME]
//! portico demo [--address ADDR]
//! portico version
//! ```
//!
//! `--watch-static` (or `portico.watch: true` in the file) reloads the install
//! configuration when its file changes, as SIGHUP does.
//!
//! Configuration flags use Traefik's dotted key paths (`--entryPoints.web.address=:8080`,
//! `--log.level=DEBUG`); a bare flag (`--providers.file`) means `true`, i.e. "enable
//! this section with its defaults". Values must be given with `=`.

use std::{ffi::OsString, path::PathBuf};

use clap::{Parser, Subcommand};

/// The static configuration roots, in Traefik's spelling; a `--flag` whose first
/// segment is one of them (any case) is a configuration flag.
const STATIC_ROOTS: &[&str] = &[
    "global",
    "serversTransport",
    "tcpServersTransport",
    "entryPoints",
    "providers",
    "api",
    "ping",
    "metrics",
    "log",
    "accessLog",
    "tracing",
    "hostResolver",
    "certificatesResolvers",
    "experimental",
    "core",
    "spiffe",
    "ocsp",
    "portico",
];

/// What the user asked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// Run the proxy (the default).
    Run(ConfigArgs),
    /// Check the configuration and exit.
    Validate(ConfigArgs),
    /// Run the whoami echo backend.
    Whoami {
        /// Listen address.
        address: String,
        /// Optional name shown in responses.
        name: Option<String>,
    },
    /// Run the demo: the proxy in front of two whoami backends.
    Demo {
        /// Where the demo proxy listens.
        address: String,
        /// Further configuration flags (`--log.level=DEBUG`).
        config: ConfigArgs,
    },
    /// Print the version.
    Version,
}

/// Where the static configuration comes from.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ConfigArgs {
    /// `--configFile`/`-c`.
    pub(crate) config_file: Option<PathBuf>,
    /// Configuration flags as `(key path, value)`.
    pub(crate) flags: Vec<(String, Option<String>)>,
}

#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about = "An edge router that reads Traefik's configuration"
)]
struct Cli {
    /// The static configuration file (YAML or TOML, by extension).
    #[arg(long = "configFile", short = 'c', alias = "configfile", global = true)]
    config_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Run the proxy (the default when no subcommand is given).
    Run,
    /// Load and check the static and routing configuration, print every problem, exit.
    Validate,
    /// Run a tiny echo backend like traefik/whoami.
    Whoami {
        /// Listen address (`:9000`, `127.0.0.1:9000`, `[::1]:9000`).
        #[arg(long, default_value = ":80")]
        address: String,
        /// A name shown in responses and in the `X-Whoami-Name` header.
        #[arg(long)]
        name: Option<String>,
    },
    /// Run Portico with config/demo in front of two whoami backends it starts itself.
    Demo {
        /// Where the demo proxy listens.
        #[arg(long, default_value = "127.0.0.1:8080")]
        address: String,
    },
    /// Print the version.
    Version,
}

/// Splits configuration flags from the rest and parses the rest with clap.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, clap::Error> {
    let mut flags = Vec::new();
    let mut rest = Vec::new();
    for arg in args {
        match arg.to_str().and_then(config_flag) {
            Some(flag) => flags.push(flag),
            None => rest.push(arg),
        }
    }
    let cli = Cli::try_parse_from(rest)?;
    let config = ConfigArgs {
        config_file: cli.config_file,
        flags,
    };
    Ok(match cli.command {
        None | Some(Sub::Run) => Command::Run(config),
        Some(Sub::Validate) => Command::Validate(config),
        Some(Sub::Whoami { address, name }) => Command::Whoami { address, name },
        Some(Sub::Demo { address }) => Command::Demo { address, config },
        Some(Sub::Version) => Command::Version,
    })
}

/// `--a.b=c` → `("a.b", Some("c"))` when `a` is a static root; `--watch-static` is
/// `portico.watch=true`.
fn config_flag(arg: &str) -> Option<(String, Option<String>)> {
    if arg == "--watch-static" {
        return Some(("portico.watch".to_owned(), Some("true".to_owned())));
    }
    let body = arg.strip_prefix("--")?;
    let (key, value) = match body.split_once('=') {
        Some((k, v)) => (k, Some(v.to_owned())),
        None => (body, None),
    };
    let root = key.split(['.', '[']).next()?;
    STATIC_ROOTS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(root))
        .then(|| (key.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Command {
        parse(
            std::iter::once("portico")
                .chain(args.iter().copied())
                .map(OsString::from),
        )
        .unwrap()
    }

    #[test]
    fn traefik_flags_are_configuration() {
        let cmd = run(&[
            "--configFile=/etc/p.yaml",
            "--entryPoints.web.address=:8080",
            "--providers.file",
            "--LOG.level=DEBUG",
            "--entrypoints.web.http.tls.domains[0].main=a.com",
        ]);
        assert_eq!(
            cmd,
            Command::Run(ConfigArgs {
                config_file: Some("/etc/p.yaml".into()),
                flags: vec![
                    ("entryPoints.web.address".into(), Some(":8080".into())),
                    ("providers.file".into(), None),
                    ("LOG.level".into(), Some("DEBUG".into())),
                    (
                        "entrypoints.web.http.tls.domains[0].main".into(),
                        Some("a.com".into())
                    ),
                ],
            })
        );
    }

    #[test]
    fn short_and_lowercase_config_file() {
        let Command::Run(c) = run(&["-c", "x.toml"]) else {
            panic!()
        };
        assert_eq!(c.config_file, Some("x.toml".into()));
        let Command::Validate(c) = run(&["validate", "--configfile", "y.yml"]) else {
            panic!()
        };
        assert_eq!(c.config_file, Some("y.yml".into()));
    }

    #[test]
    fn subcommands() {
        assert_eq!(
            run(&["whoami", "--address", "127.0.0.1:9000", "--name", "a"]),
            Command::Whoami {
                address: "127.0.0.1:9000".into(),
                name: Some("a".into())
            }
        );
        assert_eq!(run(&["version"]), Command::Version);
        assert!(matches!(run(&["demo"]), Command::Demo { .. }));
    }

    #[test]
    fn unknown_flags_are_usage_errors() {
        let err = parse(["portico", "--nope"].map(OsString::from)).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
    }
}
