//! The install configuration: defaults < file < environment < flags, merged with
//! figment (the only place figment is used).

use std::path::{Path, PathBuf};

use figment::{Figment, providers::Serialized};
use portico_config::{
    Format, ParseError, install_from_env, install_from_flags,
    model::InstallModel,
    parse_install,
    raw::InstallConfig,
    validate::{self, ValidationError},
};

use crate::cli::ConfigArgs;

/// Where the configuration file is looked for when `--configFile` is not given.
const SEARCH: &[&str] = &[
    "./portico.yaml",
    "./portico.yml",
    "./portico.toml",
    "/etc/portico/portico.yaml",
    "/etc/portico/portico.yml",
    "/etc/portico/portico.toml",
];

/// The environment variable prefix (`PORTICO_ENTRYPOINTS_WEB_ADDRESS=:8080`).
const ENV_PREFIX: &str = "PORTICO_";

/// The install configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InstallError {
    /// `--configFile` names a file that does not exist.
    #[error("--configFile: {} does not exist", .0.display())]
    Missing(PathBuf),
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file's extension names no known format.
    #[error("{}: unsupported file type (expected .yaml, .yml or .toml)", .0.display())]
    Format(PathBuf),
    /// A layer does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The layers cannot be merged.
    #[error("cannot merge configuration layers: {0}")]
    Merge(#[from] Box<figment::Error>),
    /// The merged configuration is invalid.
    #[error("invalid configuration:\n{}", list(.0))]
    Invalid(Vec<ValidationError>),
}

fn list(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The loaded configuration and the file it came from.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) model: InstallModel,
    pub(crate) file: Option<PathBuf>,
}

/// Loads the install configuration from the file, `env` and the flags.
pub(crate) fn load(
    args: &ConfigArgs,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Loaded, InstallError> {
    let file = match &args.config_file {
        Some(path) if path.is_file() => Some(path.clone()),
        Some(path) => return Err(InstallError::Missing(path.clone())),
        None => SEARCH.iter().map(PathBuf::from).find(|p| p.is_file()),
    };
    let mut figment = Figment::new();
    if let Some(path) = &file {
        figment = figment.merge(Serialized::defaults(read_file(path)?));
    }
    let env: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| {
            k.len() > ENV_PREFIX.len() && k[..ENV_PREFIX.len()].eq_ignore_ascii_case(ENV_PREFIX)
        })
        .collect();
    if !env.is_empty() {
        figment = figment.merge(Serialized::defaults(install_from_env(env, ENV_PREFIX)?));
    }
    if !args.flags.is_empty() {
        figment = figment.merge(Serialized::defaults(install_from_flags(&args.flags)?));
    }
    let raw: InstallConfig = figment.extract().map_err(Box::new)?;
    let model = validate::install(&raw).map_err(InstallError::Invalid)?;
    Ok(Loaded { model, file })
}

fn read_file(path: &Path) -> Result<InstallConfig, InstallError> {
    let format = Format::from_path(path).ok_or_else(|| InstallError::Format(path.to_owned()))?;
    let text = std::fs::read_to_string(path).map_err(|source| InstallError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(parse_install(&text, format, &path.display().to_string())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(file: Option<&Path>, flags: &[(&str, Option<&str>)]) -> ConfigArgs {
        ConfigArgs {
            config_file: file.map(Path::to_owned),
            flags: flags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
                .collect(),
        }
    }

    #[test]
    fn layers_merge_file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("portico.yaml");
        std::fs::write(
            &file,
            "entryPoints:\n  web:\n    address: ':1'\n  admin:\n    address: ':2'\nlog:\n  level: INFO\n",
        )
        .unwrap();
        let env = [
            (
                "PORTICO_ENTRYPOINTS_WEB_ADDRESS".to_owned(),
                ":3".to_owned(),
            ),
            ("portico_log_format".to_owned(), "json".to_owned()),
            ("OTHER".to_owned(), "x".to_owned()),
        ];
        let loaded = load(
            &args(
                Some(&file),
                &[
                    ("entryPoints.admin.address", Some(":4")),
                    ("log.level", Some("DEBUG")),
                ],
            ),
            env,
        )
        .unwrap();
        let m = loaded.model;
        assert_eq!(
            m.entry_points["web"].address.to_string(),
            ":3",
            "env beats file"
        );
        assert_eq!(
            m.entry_points["admin"].address.to_string(),
            ":4",
            "flags beat file"
        );
        assert_eq!(m.log.level, "debug", "flags beat file");
        assert_eq!(m.log.format, portico_config::model::LogFormat::Json);
        assert_eq!(loaded.file.as_deref(), Some(file.as_path()));
    }

    #[test]
    fn missing_config_file_is_an_error() {
        let err = load(&args(Some(Path::new("/nonexistent/portico.yaml")), &[]), []).unwrap_err();
        assert!(matches!(err, InstallError::Missing(_)), "{err}");
    }

    #[test]
    fn unknown_flag_key_is_an_error_with_its_name() {
        let err = load(&args(None, &[("entryPoints.web.adress", Some(":1"))]), []).unwrap_err();
        assert!(err.to_string().contains("adress"), "{err}");
    }
}
