//! Reading and parsing the provider's files.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use portico_config::{
    Format, ParseError, model::FileProviderSpec, parse_routing, raw::RoutingConfig,
};

use crate::merge_into;

/// What one load produced.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The merged configuration.
    pub config: RoutingConfig,
    /// The files read, in merge order.
    pub files: Vec<PathBuf>,
    /// Duplicate definitions that were skipped, one line each.
    pub warnings: Vec<String>,
}

/// The provider's files could not be loaded; nothing of this load applies.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The spec names neither a file nor a directory.
    #[error("providers.file: set filename or directory")]
    NoSource,
    /// A file or directory cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file's extension is not `.yaml`, `.yml` or `.toml`.
    #[error("{}: unsupported file type (expected .yaml, .yml or .toml)", path.display())]
    Format {
        /// The path.
        path: PathBuf,
    },
    /// A file does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Loads the provider's configuration once.
pub fn load(spec: &FileProviderSpec) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    if let Some(file) = &spec.filename {
        loaded.config = load_file(file)?;
        loaded.files.push(file.clone());
        return Ok(loaded);
    }
    let Some(dir) = &spec.directory else {
        return Err(LoadError::NoSource);
    };
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    for file in files {
        let config = load_file(&file)?;
        let source = file.display().to_string();
        loaded
            .warnings
            .extend(merge_into(&mut loaded.config, config, &source));
        loaded.files.push(file);
    }
    Ok(loaded)
}

/// Reads and parses one routing configuration file.
pub fn load_file(path: &Path) -> Result<RoutingConfig, LoadError> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::Format {
        path: path.to_owned(),
    })?;
    let text = fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(parse_routing(&text, format, &path.display().to_string())?)
}

/// Every configuration file under `dir`, recursively; hidden entries (editors' swap
/// and temporary files, Kubernetes' `..data` links) are skipped.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let read_err = |source| LoadError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        // `metadata` follows symlinks (ConfigMap mounts are symlinks).
        let meta = fs::metadata(&path).map_err(|source| LoadError::Read {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            collect(&path, out)?;
        } else if Format::from_path(&path).is_some() {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
