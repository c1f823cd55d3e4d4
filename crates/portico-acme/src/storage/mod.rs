//! Traefik's `acme.json`: accounts and certificates of every resolver sharing a file.
//!
//! The file is read once when opened (as Traefik does at start) and rewritten whole
//! after every change: to a temporary file in the same directory with mode 0600, then
//! renamed over the old one, so a crash never leaves half a file. Resolvers that name
//! the same `storage` must share one [`AcmeStorage`] (see [`AcmeStorage::open`]).
//!
//! # Example
//!
//! ```
//! use portico_acme::storage::{AcmeStorage, StoredCertificate, StoredDomain};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("acme.json");
//! let storage = AcmeStorage::open(&path).unwrap();
//! storage
//!     .upsert_certificate("le", StoredCertificate {
//!         domain: StoredDomain { main: "example.com".into(), sans: vec![] },
//!         certificate: b"-----BEGIN CERTIFICATE-----\n...".to_vec(),
//!         key: b"-----BEGIN PRIVATE KEY-----\n...".to_vec(),
//!         store: "default".into(),
//!     })
//!     .unwrap();
//! let again = AcmeStorage::open(&path).unwrap();
//! assert_eq!(again.certificates("le")[0].domain.main, "example.com");
//! ```

mod model;

use std::{
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, MutexGuard},
};

pub use self::model::{
    AcmeFile, Registration, ResolverData, StoredAccount, StoredCertificate, StoredDomain,
};

/// Why `acme.json` could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Reading failed.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The content is not Traefik's layout.
    #[error("{path} is not a valid acme.json")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// Writing failed.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// One `acme.json` file, shared by the resolvers that store there.
#[derive(Debug)]
pub struct AcmeStorage {
    path: PathBuf,
    data: Mutex<AcmeFile>,
}

// === impl AcmeStorage ===

impl AcmeStorage {
    /// Reads `path` (a missing or empty file is an empty store). Certificates without
    /// a certificate or key are dropped, as Traefik does.
    pub fn open(path: impl AsRef<Path>) -> Result<Arc<AcmeStorage>, StorageError> {
        let path = path.as_ref().to_path_buf();
        let mut data = match std::fs::read(&path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => AcmeFile::new(),
            Ok(bytes) => serde_json::from_slice::<AcmeFile>(&bytes).map_err(|source| {
                StorageError::Parse {
                    path: path.clone(),
                    source,
                }
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => AcmeFile::new(),
            Err(source) => return Err(StorageError::Read { path, source }),
        };
        for resolver in data.values_mut() {
            resolver
                .certificates
                .retain(|c| !c.certificate.is_empty() && !c.key.is_empty());
        }
        Ok(Arc::new(AcmeStorage {
            path,
            data: Mutex::new(data),
        }))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, AcmeFile> {
        // A panic while holding the lock cannot leave the map half-updated: every
        // change is a single insert or assignment.
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The resolver names present in the file.
    pub fn resolvers(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// `resolver`'s account, if one was stored.
    pub fn account(&self, resolver: &str) -> Option<StoredAccount> {
        self.lock().get(resolver).and_then(|r| r.account.clone())
    }

    /// `resolver`'s certificates.
    pub fn certificates(&self, resolver: &str) -> Vec<StoredCertificate> {
        self.lock()
            .get(resolver)
            .map(|r| r.certificates.clone())
            .unwrap_or_default()
    }

    /// Stores `resolver`'s account and writes the file.
    pub fn save_account(&self, resolver: &str, account: StoredAccount) -> Result<(), StorageError> {
        let mut data = self.lock();
        data.entry(resolver.to_owned()).or_default().account = Some(account);
        self.write(&data)
    }

    /// Replaces `resolver`'s certificate with the same domain (or adds it) and writes
    /// the file.
    pub fn upsert_certificate(
        &self,
        resolver: &str,
        cert: StoredCertificate,
    ) -> Result<(), StorageError> {
        let mut data = self.lock();
        let certs = &mut data.entry(resolver.to_owned()).or_default().certificates;
        match certs.iter_mut().find(|c| c.domain == cert.domain) {
            Some(slot) => *slot = cert,
            None => certs.push(cert),
        }
        self.write(&data)
    }

    /// Writes `data` atomically: a 0600 temporary file next to the target, synced,
    /// then renamed over it.
    fn write(&self, data: &AcmeFile) -> Result<(), StorageError> {
        let err = |source| StorageError::Write {
            path: self.path.clone(),
            source,
        };
        let json = serde_json::to_vec_pretty(data).map_err(|e| err(e.into()))?;
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "acme.json".to_owned());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp)?;
            #[cfg(unix)]
            file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
            file.write_all(&json)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(err)
    }
}

#[cfg(test)]
mod tests;
