//! Objects from manifest files instead of an API server
//! (`providers.kubernetesCRD.manifests`): the YAML (or JSON) a user would
//! `kubectl apply`, multi-document, `List` kinds accepted, files or directories.

use std::{
    collections::BTreeSet,
    fs, io,
    path::{Path, PathBuf},
};

use serde::Deserialize;
use serde_json::Value;

use crate::cluster::{ApiGroup, Cluster, Resource};

/// What one load read.
#[derive(Debug, Default)]
pub struct Manifests {
    /// Every object read.
    pub cluster: Cluster,
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    /// Objects of types Portico does not read, and other notes, one line each.
    pub warnings: Vec<String>,
}

/// The manifests could not be loaded; nothing of this load applies.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A file or directory cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A document is not YAML, or not an object.
    #[error("{}: document {document}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The document's position in the file, from 1.
        document: usize,
        /// Why, with the line where the parser knows it.
        message: String,
    },
}

/// Reads every manifest under `paths` (files, or directories searched
/// recursively for `.yaml`, `.yml` and `.json` files, hidden entries skipped).
///
/// # Example
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("app.yaml"), "\
/// apiVersion: v1
/// kind: List
/// items:
///   - {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 80}]}}
///   - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}}
/// ").unwrap();
/// let read = portico_provider_kubernetes::manifests::load(&[dir.path().into()]).unwrap();
/// assert_eq!(read.cluster.len(), 1);
/// assert_eq!(read.warnings.len(), 1); // the Deployment is not read
/// ```
pub fn load(paths: &[PathBuf]) -> Result<Manifests, ManifestError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|source| ManifestError::Read {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let mut found = Vec::new();
            collect(path, &mut found)?;
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut out = Manifests::default();
    let mut legacy = false;
    for file in files {
        let text = fs::read_to_string(&file).map_err(|source| ManifestError::Read {
            path: file.clone(),
            source,
        })?;
        let mut skipped = BTreeSet::new();
        for (index, document) in serde_yaml::Deserializer::from_str(&text).enumerate() {
            let parse_error = |message: String| ManifestError::Parse {
                path: file.clone(),
                document: index + 1,
                message,
            };
            let value = Value::deserialize(document).map_err(|e| parse_error(e.to_string()))?;
            let objects = match value {
                Value::Null => continue,
                Value::Object(_) if is_list(&value) => match value.get("items") {
                    Some(Value::Array(items)) => items.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(_) => return Err(parse_error("items is not a list".into())),
                },
                Value::Object(_) => vec![value],
                _ => return Err(parse_error("not an object".into())),
            };
            for object in objects {
                let field = |f: &str| {
                    object
                        .get(f)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let (api_version, kind) = (field("apiVersion"), field("kind"));
                match Resource::from_type(&api_version, &kind) {
                    Some(resource) => {
                        legacy |= resource.group == ApiGroup::TraefikLegacy;
                        out.cluster
                            .apply(resource, object)
                            .map_err(|e| parse_error(e.to_string()))?;
                    }
                    None => {
                        skipped.insert(format!("{kind} ({api_version})"));
                    }
                }
            }
        }
        if !skipped.is_empty() {
            let skipped: Vec<String> = skipped.into_iter().collect();
            out.warnings.push(format!(
                "{}: not read (not used for routing): {}",
                file.display(),
                skipped.join(", ")
            ));
        }
        out.files.push(file);
    }
    if legacy {
        out.warnings.push(
            "traefik.containo.us/v1alpha1 objects are read as traefik.io/v1alpha1 ones; \
             Traefik v3 no longer reads this API group"
                .to_owned(),
        );
    }
    Ok(out)
}

fn is_list(value: &Value) -> bool {
    value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k == "List" || (k.ends_with("List") && value.get("items").is_some()))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ManifestError> {
    let read_err = |source| ManifestError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let meta = fs::metadata(&path).map_err(|source| ManifestError::Read {
            path: path.clone(),
            source,
        })?;
        let manifest = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        );
        if meta.is_dir() {
            collect(&path, out)?;
        } else if manifest {
            out.push(path);
        }
    }
    Ok(())
}
