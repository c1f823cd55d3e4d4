//! The object store: objects keyed by resource, namespace and name, one
//! global `resourceVersion` counter, the event history and the open watches.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use bytes::Bytes;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use super::{
    resources::{ResourceType, Resources},
    selector::Selector,
    status::ApiError,
    watch::{
        Event, EventType, History, WATCH_CAPACITY, WatchFilter, Watchers, bookmark_line,
        event_line, labels,
    },
};

/// Where a watch starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WatchStart {
    /// `resourceVersion` `""` or `"0"`, or `sendInitialEvents=true`: an
    /// `ADDED` event for every current object, then live events; with
    /// `initial_end`, a bookmark marks the end of the initial events.
    Now { initial_end: bool },
    /// Replays the retained events after this `resourceVersion`.
    After(u64),
}

/// A registered watch: the lines to send first, then the live queue.
#[derive(Debug)]
pub(super) struct WatchStarted {
    pub(super) id: u64,
    pub(super) replay: Vec<Bytes>,
    pub(super) live: mpsc::Receiver<Bytes>,
}

/// What a list selects.
#[derive(Clone, Debug, Default)]
pub(super) struct ListQuery {
    pub(super) namespace: Option<String>,
    pub(super) labels: Selector,
    pub(super) fields: Selector,
    pub(super) limit: Option<usize>,
    pub(super) continue_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ObjectKey {
    api_version: String,
    kind: String,
    /// Empty for cluster-scoped objects.
    namespace: String,
    name: String,
}

/// Everything the fake API server knows.
#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) resources: Resources,
    rv: u64,
    uids: u64,
    objects: BTreeMap<ObjectKey, Value>,
    pub(super) history: History,
    pub(super) watchers: Watchers,
    list_counts: HashMap<String, usize>,
    pub(super) last_authorization: Option<String>,
}

// === impl Store ===

impl Store {
    /// The current (latest) `resourceVersion`.
    pub(super) fn rv(&self) -> u64 {
        self.rv
    }

    /// The stored object, if any.
    pub(super) fn get(
        &self,
        res: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<&Value> {
        self.objects.get(&key(res, namespace, name))
    }

    /// Stores `object` as the new state of the object it names and emits
    /// `ADDED` or `MODIFIED`. `uid` and `creationTimestamp` are kept from the
    /// stored object; `generation` grows when anything but metadata and status
    /// changed. Writing an object identical to the stored one changes nothing
    /// (as on a real API server). Returns the stored object.
    pub(super) fn commit(
        &mut self,
        res: &ResourceType,
        mut object: Value,
    ) -> Result<Value, ApiError> {
        let Some(fields) = object.as_object_mut() else {
            return Err(ApiError::bad_request(format!(
                "object is not a JSON object: {object}"
            )));
        };
        fields.insert("apiVersion".to_owned(), json!(res.api_version()));
        fields.insert("kind".to_owned(), json!(res.kind));
        let meta = metadata_mut(&mut object);
        let Some(name) = meta
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        else {
            return Err(ApiError::invalid(format!(
                "{res}: metadata.name is required"
            )));
        };
        let name = name.to_owned();
        if res.namespaced {
            let namespace = meta
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if namespace.is_empty() {
                meta.insert("namespace".to_owned(), json!("default"));
            }
        } else {
            meta.remove("namespace");
        }
        let namespace = meta
            .get("namespace")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let key = key(res, namespace.as_deref(), &name);

        let existing = self.objects.get(&key);
        let meta = metadata_mut(&mut object);
        match existing {
            Some(old) => {
                for field in ["uid", "creationTimestamp"] {
                    meta.insert(field.to_owned(), old["metadata"][field].clone());
                }
                meta.insert(
                    "resourceVersion".to_owned(),
                    old["metadata"]["resourceVersion"].clone(),
                );
                let generation = old["metadata"]["generation"].as_u64().unwrap_or(1);
                meta.insert("generation".to_owned(), json!(generation));
                if object == *old {
                    return Ok(object);
                }
                let changed = without_meta_and_status(&object) != without_meta_and_status(old);
                metadata_mut(&mut object).insert(
                    "generation".to_owned(),
                    json!(generation + u64::from(changed)),
                );
            }
            None => {
                self.uids += 1;
                meta.insert(
                    "uid".to_owned(),
                    json!(format!("00000000-0000-4000-8000-{:012x}", self.uids)),
                );
                meta.insert("creationTimestamp".to_owned(), json!(now_rfc3339()));
                meta.insert("generation".to_owned(), json!(1));
            }
        }
        self.rv += 1;
        metadata_mut(&mut object).insert("resourceVersion".to_owned(), json!(self.rv.to_string()));
        let previous = self.objects.insert(key, object.clone());
        let (ty, previous_labels) = match &previous {
            Some(old) => (EventType::Modified, labels(old).cloned()),
            None => (EventType::Added, None),
        };
        self.emit(res, ty, object.clone(), previous_labels);
        Ok(object)
    }

    /// Deletes the object and emits `DELETED` carrying its last state at a
    /// new `resourceVersion`.
    pub(super) fn delete(
        &mut self,
        res: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let mut object = self.objects.remove(&key(res, namespace, name))?;
        self.rv += 1;
        metadata_mut(&mut object).insert("resourceVersion".to_owned(), json!(self.rv.to_string()));
        self.emit(res, EventType::Deleted, object.clone(), None);
        Some(object)
    }

    fn emit(
        &mut self,
        res: &ResourceType,
        ty: EventType,
        object: Value,
        previous_labels: Option<Value>,
    ) {
        let event = Event {
            rv: self.rv,
            ty,
            api_version: res.api_version(),
            kind: res.kind.clone(),
            object: Arc::new(object),
            previous_labels,
        };
        self.watchers.fan_out(&event);
        self.history.push(event);
    }

    /// A `{Kind}List` of the selected objects, sorted by namespace and name,
    /// paged by `limit` with a `continue` token.
    pub(super) fn list(
        &mut self,
        res: &ResourceType,
        query: &ListQuery,
    ) -> Result<Value, ApiError> {
        *self.list_counts.entry(res.kind.clone()).or_insert(0) += 1;
        let (snapshot_rv, after) = match &query.continue_token {
            Some(token) => {
                let (rv, after) = parse_continue(token).ok_or_else(|| {
                    ApiError::bad_request(format!("invalid continue token {token:?}"))
                })?;
                if rv < self.history.compacted() {
                    return Err(ApiError::expired(format!(
                        "the provided continue parameter {token:?} is too old to display a \
                         consistent list result; start a new list without it"
                    )));
                }
                (rv, Some(after))
            }
            None => (self.rv, None),
        };
        let filter = watch_filter(res, query);
        let limit = query.limit.filter(|l| *l > 0).unwrap_or(usize::MAX);
        let mut selected = self
            .objects
            .iter()
            .filter(|(k, _)| k.api_version == filter.api_version && k.kind == res.kind)
            .filter(|(k, _)| {
                after
                    .as_ref()
                    .is_none_or(|a| (&k.namespace, &k.name) > (&a.0, &a.1))
            })
            .filter(|(_, object)| filter.selects(object));
        let items: Vec<(&ObjectKey, &Value)> = selected.by_ref().take(limit).collect();
        let mut metadata = json!({ "resourceVersion": snapshot_rv.to_string() });
        if selected.next().is_some()
            && let Some((last, _)) = items.last()
        {
            metadata["continue"] = json!(format!("{snapshot_rv}/{}/{}", last.namespace, last.name));
        }
        Ok(json!({
            "apiVersion": filter.api_version,
            "kind": format!("{}List", res.kind),
            "metadata": metadata,
            "items": items.into_iter().map(|(_, o)| o.clone()).collect::<Vec<_>>(),
        }))
    }

    /// LIST requests served for `kind`.
    pub(super) fn list_count(&self, kind: &str) -> usize {
        self.list_counts.get(kind).copied().unwrap_or(0)
    }

    /// Registers a watch on `res`; `Err` (410) when `start` is older than the
    /// retained history.
    pub(super) fn watch(
        &mut self,
        res: &ResourceType,
        query: &ListQuery,
        start: WatchStart,
        bookmarks: bool,
    ) -> Result<WatchStarted, ApiError> {
        let filter = watch_filter(res, query);
        let replay = match start {
            WatchStart::After(rv) => {
                let events = self.history.since(rv).ok_or_else(|| {
                    ApiError::expired(format!(
                        "too old resource version: {rv} ({})",
                        self.history.compacted()
                    ))
                })?;
                events
                    .filter_map(|e| Some(event_line(filter.view(e)?.as_str(), &e.object)))
                    .collect()
            }
            WatchStart::Now { initial_end } => {
                let mut lines: Vec<Bytes> = self
                    .objects
                    .iter()
                    .filter(|(k, o)| {
                        k.api_version == filter.api_version
                            && k.kind == res.kind
                            && filter.selects(o)
                    })
                    .map(|(_, o)| event_line("ADDED", o))
                    .collect();
                if initial_end {
                    lines.push(bookmark_line(&filter.api_version, &res.kind, self.rv, true));
                }
                lines
            }
        };
        let (id, live) = self.watchers.add(filter, bookmarks, WATCH_CAPACITY);
        Ok(WatchStarted { id, replay, live })
    }

    /// Forgets the history: every open watch gets a 410 `ERROR` event and is
    /// closed, and watches from before now are refused the same way.
    pub(super) fn compact(&mut self) {
        self.history.compact(self.rv);
        let expired = ApiError::expired(format!(
            "too old resource version: compacted at {}",
            self.rv
        ));
        self.watchers
            .close_all_with(&event_line("ERROR", &expired.to_status()));
    }

    /// Sends a bookmark at the current `resourceVersion` to every watch that
    /// asked for bookmarks.
    pub(super) fn bookmark(&mut self) {
        self.watchers.bookmark(self.rv);
    }
}

fn key(res: &ResourceType, namespace: Option<&str>, name: &str) -> ObjectKey {
    ObjectKey {
        api_version: res.api_version(),
        kind: res.kind.clone(),
        namespace: if res.namespaced {
            namespace.unwrap_or("default").to_owned()
        } else {
            String::new()
        },
        name: name.to_owned(),
    }
}

fn watch_filter(res: &ResourceType, query: &ListQuery) -> WatchFilter {
    WatchFilter {
        api_version: res.api_version(),
        kind: res.kind.clone(),
        namespace: query.namespace.clone().filter(|_| res.namespaced),
        labels: query.labels.clone(),
        fields: query.fields.clone(),
    }
}

/// `rv/namespace/name` → `(rv, (namespace, name))`.
fn parse_continue(token: &str) -> Option<(u64, (String, String))> {
    let mut parts = token.splitn(3, '/');
    let rv = parts.next()?.parse().ok()?;
    let namespace = parts.next()?.to_owned();
    let name = parts.next()?.to_owned();
    Some((rv, (namespace, name)))
}

/// The object's `metadata` map, created when missing or not a map.
pub(super) fn metadata_mut(object: &mut Value) -> &mut Map<String, Value> {
    if !object["metadata"].is_object() {
        object["metadata"] = json!({});
    }
    match &mut object["metadata"] {
        Value::Object(meta) => meta,
        _ => unreachable!("metadata was just made an object"),
    }
}

fn without_meta_and_status(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(fields) = object.as_object_mut() {
        fields.remove("metadata");
        fields.remove("status");
    }
    object
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub(super) fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// `secs` since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (Howard Hinnant's
/// civil-from-days).
pub(super) fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
