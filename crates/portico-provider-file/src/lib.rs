//! The file provider: routing configuration from one file (`providers.file.filename`)
//! or every `.yaml`, `.yml` and `.toml` file under a directory
//! (`providers.file.directory`, recursively, in path order).
//!
//! With `watch` (the default), [`Watch`] reports changes, throttled, so the caller
//! reloads; see the facade's supervisor.
//!
//! A directory's files are merged as Traefik merges them: the first definition of a
//! name wins and each later duplicate is reported. A file that cannot be read or
//! parsed fails the whole load, with its path, line and key path, so the caller keeps
//! serving the last good configuration.
//!
//! # Example
//!
//! ```
//! use portico_config::model::FileProviderSpec;
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("a.yaml"), "http:\n  routers:\n    r:\n      rule: Path(`/`)\n      service: s\n").unwrap();
//! let spec = FileProviderSpec { filename: None, directory: Some(dir.path().into()), watch: false };
//! let loaded = portico_provider_file::load(&spec).unwrap();
//! assert_eq!(loaded.files.len(), 1);
//! assert!(loaded.config.http.unwrap().routers.unwrap().contains_key("r"));
//! ```

mod load;
mod merge;
mod watch;

pub use self::{
    load::{LoadError, Loaded, load, load_file},
    merge::merge_into,
    watch::Watch,
};
