//! Sections Portico accepts but does not implement.

use serde::{Deserialize, Serialize};

/// A configuration section kept as written, without a schema.
///
/// Traefik features Portico does not implement (the Docker provider, tracing,
/// Datadog metrics, ...) are read into `Opaque` so that Traefik files load
/// unchanged; validation reports them as "not supported by Portico: ignored".
/// The value serializes back as it was read.
///
/// ```
/// use portico_config::raw::Opaque;
///
/// let section: Opaque = serde_json::from_str(r#"{"exposedByDefault": false}"#).unwrap();
/// assert_eq!(section.0["exposedByDefault"], false);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Opaque(pub serde_json::Value);
