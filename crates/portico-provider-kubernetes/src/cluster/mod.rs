//! The cluster as Portico last saw it: every object it reads, by resource,
//! namespace and name, as the API server (or a manifest file) gave it.
//!
//! Watchers and manifest files fill the same [`Cluster`]; translation reads typed
//! views of it. Objects are kept as JSON and parsed when translated, so an object
//! that does not parse is reported against its own name instead of stopping the
//! watch.

mod resource;

use std::{collections::BTreeMap, fmt};

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use self::resource::{ApiGroup, Kind, Resource};

/// `namespace/name` (namespace empty for cluster-scoped objects).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
}

/// Why an object could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// `metadata.name` is missing.
    #[error("{0}: metadata.name is missing")]
    NoName(Resource),
}

/// Every object Portico reads, keyed by resource and `namespace/name`.
///
/// # Example
///
/// ```
/// use portico_provider_kubernetes::cluster::{Cluster, Kind, Resource};
///
/// let mut cluster = Cluster::default();
/// let svc = serde_json::json!({
///     "apiVersion": "v1", "kind": "Service",
///     "metadata": {"name": "web", "namespace": "shop"},
///     "spec": {"ports": [{"port": 80}]}
/// });
/// cluster.apply_value(svc).unwrap();
/// let found: Vec<_> = cluster.typed::<k8s_openapi::api::core::v1::Service>(Kind::Service).collect();
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].key.to_string(), "shop/web");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cluster {
    objects: BTreeMap<Resource, BTreeMap<ObjectKey, Value>>,
}

/// One object read as `T`, or why it does not parse.
#[derive(Debug)]
pub struct Typed<T> {
    /// Where it is served from.
    pub resource: Resource,
    /// Its namespace and name.
    pub key: ObjectKey,
    /// The object, or the parse error with its key path.
    pub object: Result<T, String>,
}

// === impl ObjectKey ===

impl ObjectKey {
    /// `namespace/name`.
    pub fn new(namespace: &str, name: &str) -> ObjectKey {
        ObjectKey {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The key of a JSON object, from its metadata; namespaced kinds default to
    /// namespace `default`, as `kubectl apply` does.
    pub fn of(resource: Resource, object: &Value) -> Result<ObjectKey, ObjectError> {
        let meta = object.get("metadata");
        let field = |f: &str| meta.and_then(|m| m.get(f)).and_then(Value::as_str);
        let name = field("name")
            .filter(|n| !n.is_empty())
            .ok_or(ObjectError::NoName(resource))?;
        let namespace = if resource.kind.namespaced() {
            field("namespace")
                .filter(|n| !n.is_empty())
                .unwrap_or("default")
        } else {
            ""
        };
        Ok(ObjectKey::new(namespace, name))
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

// === impl Cluster ===

impl Cluster {
    /// Stores (or replaces) an object of `resource`.
    pub fn apply(&mut self, resource: Resource, mut object: Value) -> Result<(), ObjectError> {
        let key = ObjectKey::of(resource, &object)?;
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            // The namespace a key defaulted to is the object's namespace.
            if resource.kind.namespaced() {
                meta.insert("namespace".into(), Value::String(key.namespace.clone()));
            }
            // Bookkeeping that changes on every write but means nothing here.
            meta.remove("resourceVersion");
            meta.remove("managedFields");
            meta.remove("generation");
        }
        self.objects
            .entry(resource)
            .or_default()
            .insert(key, object);
        Ok(())
    }

    /// Stores an object whose `apiVersion` and `kind` say what it is; `Ok(false)`
    /// when Portico does not read that type.
    pub fn apply_value(&mut self, object: Value) -> Result<bool, ObjectError> {
        let field = |f: &str| object.get(f).and_then(Value::as_str).unwrap_or_default();
        match Resource::from_type(field("apiVersion"), field("kind")) {
            Some(resource) => self.apply(resource, object).map(|()| true),
            None => Ok(false),
        }
    }

    /// Removes an object; whether it was there.
    pub fn delete(&mut self, resource: Resource, key: &ObjectKey) -> bool {
        self.objects
            .get_mut(&resource)
            .is_some_and(|objects| objects.remove(key).is_some())
    }

    /// Replaces every object of `resource` in `namespace` (every namespace when
    /// `None`) with `objects`: what a (re-)list says exists.
    pub fn replace(&mut self, resource: Resource, namespace: Option<&str>, objects: Vec<Value>) {
        let stored = self.objects.entry(resource).or_default();
        stored.retain(|key, _| namespace.is_some_and(|ns| key.namespace != ns));
        for object in objects {
            // An object without a name cannot be listed by a real API server.
            let _ = self.apply(resource, object);
        }
    }

    /// Keeps only the objects for which `keep(resource, key, object)` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(Resource, &ObjectKey, &Value) -> bool) {
        for (resource, objects) in &mut self.objects {
            objects.retain(|key, object| keep(*resource, key, object));
        }
    }

    /// How many objects are stored, over every resource.
    pub fn len(&self) -> usize {
        self.objects.values().map(BTreeMap::len).sum()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw object of `kind` at `key`, `traefik.io` before `traefik.containo.us`.
    pub fn raw(&self, kind: Kind, key: &ObjectKey) -> Option<(Resource, &Value)> {
        self.resources_of(kind)
            .find_map(|(r, objects)| objects.get(key).map(|o| (*r, o)))
    }

    /// The object of `kind` at `namespace/name`, parsed as `T`.
    pub fn get<T: DeserializeOwned>(
        &self,
        kind: Kind,
        namespace: &str,
        name: &str,
    ) -> Option<Result<T, String>> {
        let key = ObjectKey::new(if kind.namespaced() { namespace } else { "" }, name);
        self.raw(kind, &key).map(|(_, object)| parse(object))
    }

    /// Every object of `kind`, parsed as `T`, by key; where both Traefik groups
    /// hold the same `namespace/name`, the `traefik.io` one (the legacy one is
    /// skipped: see [`Cluster::shadowed`]).
    pub fn typed<T: DeserializeOwned>(&self, kind: Kind) -> impl Iterator<Item = Typed<T>> + '_ {
        let mut seen = std::collections::BTreeSet::new();
        let mut all = Vec::new();
        for (resource, objects) in self.resources_of(kind) {
            for (key, object) in objects {
                if seen.insert(key.clone()) {
                    all.push((*resource, key, object));
                }
            }
        }
        all.sort_by(|a, b| a.1.cmp(b.1));
        all.into_iter().map(|(resource, key, object)| Typed {
            resource,
            key: key.clone(),
            object: parse(object),
        })
    }

    /// Legacy-group objects hidden by a `traefik.io` object of the same kind and
    /// name, as `Kind namespace/name` lines.
    pub fn shadowed(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (resource, objects) in &self.objects {
            if !resource.is_legacy() {
                continue;
            }
            let modern = Resource::new(resource.kind, ApiGroup::Traefik);
            for key in objects.keys() {
                if self
                    .objects
                    .get(&modern)
                    .is_some_and(|m| m.contains_key(key))
                {
                    lines.push(format!(
                        "{} {key} of {} is ignored: {} defines the same object",
                        resource.kind,
                        ApiGroup::TraefikLegacy.api_version(),
                        ApiGroup::Traefik.api_version()
                    ));
                }
            }
        }
        lines
    }

    /// Every stored `(resource, key)`.
    pub fn keys(&self) -> impl Iterator<Item = (Resource, &ObjectKey)> + '_ {
        self.objects
            .iter()
            .flat_map(|(r, objects)| objects.keys().map(move |k| (*r, k)))
    }

    fn resources_of(
        &self,
        kind: Kind,
    ) -> impl Iterator<Item = (&Resource, &BTreeMap<ObjectKey, Value>)> + '_ {
        // Resource orders Traefik before TraefikLegacy.
        self.objects.iter().filter(move |(r, _)| r.kind == kind)
    }
}

/// Parses an object, naming the key path of what does not fit.
fn parse<T: DeserializeOwned>(object: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(object).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.inner().to_string()
        } else {
            format!("{path}: {}", e.inner())
        }
    })
}

#[cfg(test)]
mod tests;
