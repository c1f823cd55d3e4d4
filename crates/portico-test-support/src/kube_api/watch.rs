//! Watch events, the retained history and the open watch streams.

use std::{
    collections::{BTreeMap, VecDeque},
    sync::Arc,
};

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::selector::Selector;

/// Lines one watch may have queued before it is dropped as too slow.
pub(super) const WATCH_CAPACITY: usize = 1024;

/// Events retained for watches that resume from a `resourceVersion`.
pub(super) const HISTORY_LIMIT: usize = 10_000;

/// The type of a change event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EventType {
    Added,
    Modified,
    Deleted,
}

/// One change, as retained in the history.
#[derive(Clone, Debug)]
pub(super) struct Event {
    pub(super) rv: u64,
    pub(super) ty: EventType,
    pub(super) api_version: String,
    pub(super) kind: String,
    /// The object after the change (for `Deleted`, its last state).
    pub(super) object: Arc<Value>,
    /// For `Modified`: `metadata.labels` before the change.
    pub(super) previous_labels: Option<Value>,
}

/// What one watch selects.
#[derive(Clone, Debug)]
pub(super) struct WatchFilter {
    pub(super) api_version: String,
    pub(super) kind: String,
    /// `None` watches every namespace.
    pub(super) namespace: Option<String>,
    pub(super) labels: Selector,
    pub(super) fields: Selector,
}

/// An open watch stream.
#[derive(Debug)]
pub(super) struct Watcher {
    pub(super) id: u64,
    pub(super) filter: WatchFilter,
    pub(super) bookmarks: bool,
    pub(super) tx: mpsc::Sender<Bytes>,
}

/// The retained events, oldest first.
#[derive(Debug)]
pub(super) struct History {
    events: VecDeque<Event>,
    limit: usize,
    /// Watches must start at this `resourceVersion` or later.
    compacted: u64,
}

/// Every open watch, and their count per kind for readiness waits.
#[derive(Debug)]
pub(super) struct Watchers {
    list: Vec<Watcher>,
    next_id: u64,
    counts: watch::Sender<BTreeMap<String, usize>>,
}

// === impl EventType ===

impl EventType {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

// === impl WatchFilter ===

impl WatchFilter {
    /// Whether an object of the watched resource is selected.
    pub(super) fn selects(&self, object: &Value) -> bool {
        self.selects_place(object) && self.labels.matches(labels(object))
    }

    fn selects_place(&self, object: &Value) -> bool {
        let namespace = object["metadata"]["namespace"].as_str();
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        self.namespace
            .as_deref()
            .is_none_or(|ns| Some(ns) == namespace)
            && self.fields.matches_fields(namespace, name)
    }

    /// How this watch sees `event`: an object moving into the label selector
    /// is `ADDED`, one moving out of it `DELETED`.
    pub(super) fn view(&self, event: &Event) -> Option<EventType> {
        if event.api_version != self.api_version
            || event.kind != self.kind
            || !self.selects_place(&event.object)
        {
            return None;
        }
        let now = self.labels.matches(labels(&event.object));
        let ty = match event.ty {
            EventType::Added | EventType::Deleted => now.then_some(event.ty)?,
            EventType::Modified => {
                match (self.labels.matches(event.previous_labels.as_ref()), now) {
                    (true, true) => EventType::Modified,
                    (false, true) => EventType::Added,
                    (true, false) => EventType::Deleted,
                    (false, false) => return None,
                }
            }
        };
        Some(ty)
    }
}

/// An object's `metadata.labels`.
pub(super) fn labels(object: &Value) -> Option<&Value> {
    object.get("metadata")?.get("labels")
}

/// `{"type":…,"object":…}` and a newline.
pub(super) fn event_line(ty: &str, object: &Value) -> Bytes {
    let mut line = format!(r#"{{"type":"{ty}","object":"#).into_bytes();
    serde_json::to_writer(&mut line, object).expect("a JSON value always serializes");
    line.extend_from_slice(b"}\n");
    Bytes::from(line)
}

/// A `BOOKMARK` event: only `apiVersion`, `kind` and the `resourceVersion`
/// (plus the end-of-initial-events annotation when asked).
pub(super) fn bookmark_line(api_version: &str, kind: &str, rv: u64, initial_end: bool) -> Bytes {
    let mut metadata = json!({ "resourceVersion": rv.to_string() });
    if initial_end {
        metadata["annotations"] = json!({ "k8s.io/initial-events-end": "true" });
    }
    let bookmark = json!({ "apiVersion": api_version, "kind": kind, "metadata": metadata });
    event_line("BOOKMARK", &bookmark)
}

// === impl History ===

impl Default for History {
    fn default() -> Self {
        History {
            events: VecDeque::new(),
            limit: HISTORY_LIMIT,
            compacted: 0,
        }
    }
}

impl History {
    /// Retains `event`, forgetting the oldest one past the limit.
    pub(super) fn push(&mut self, event: Event) {
        self.events.push_back(event);
        while self.events.len() > self.limit {
            if let Some(old) = self.events.pop_front() {
                self.compacted = old.rv;
            }
        }
    }

    /// Forgets every event up to and including `rv`.
    pub(super) fn compact(&mut self, rv: u64) {
        self.events.clear();
        self.compacted = rv;
    }

    /// The oldest `resourceVersion` a watch may start from.
    pub(super) fn compacted(&self) -> u64 {
        self.compacted
    }

    /// The events after `rv`, or `None` when some of them were forgotten.
    pub(super) fn since(&self, rv: u64) -> Option<impl Iterator<Item = &Event>> {
        (rv >= self.compacted).then(|| self.events.iter().filter(move |e| e.rv > rv))
    }

    #[cfg(test)]
    pub(super) fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }
}

// === impl Watchers ===

impl Default for Watchers {
    fn default() -> Self {
        Watchers {
            list: Vec::new(),
            next_id: 0,
            counts: watch::channel(BTreeMap::new()).0,
        }
    }
}

impl Watchers {
    /// Registers a watch and returns its id and the receiving end of its
    /// bounded queue.
    pub(super) fn add(
        &mut self,
        filter: WatchFilter,
        bookmarks: bool,
        capacity: usize,
    ) -> (u64, mpsc::Receiver<Bytes>) {
        let (tx, rx) = mpsc::channel(capacity);
        self.next_id += 1;
        let id = self.next_id;
        self.list.push(Watcher {
            id,
            filter,
            bookmarks,
            tx,
        });
        self.publish();
        (id, rx)
    }

    /// Unregisters a watch (its stream ends once its queue is drained).
    pub(super) fn remove(&mut self, id: u64) {
        let before = self.list.len();
        self.list.retain(|w| w.id != id);
        if self.list.len() != before {
            self.publish();
        }
    }

    /// Sends `event` to every watch that selects it; a watch whose queue is
    /// full or whose stream is gone is dropped.
    pub(super) fn fan_out(&mut self, event: &Event) {
        let before = self.list.len();
        self.list.retain(|w| match w.filter.view(event) {
            Some(ty) => {
                w.tx.try_send(event_line(ty.as_str(), &event.object))
                    .is_ok()
            }
            None => !w.tx.is_closed(),
        });
        if self.list.len() != before {
            self.publish();
        }
    }

    /// Sends a bookmark at `rv` to every watch that asked for bookmarks.
    pub(super) fn bookmark(&mut self, rv: u64) {
        let before = self.list.len();
        self.list.retain(|w| {
            !w.bookmarks
                || w.tx
                    .try_send(bookmark_line(
                        &w.filter.api_version,
                        &w.filter.kind,
                        rv,
                        false,
                    ))
                    .is_ok()
        });
        if self.list.len() != before {
            self.publish();
        }
    }

    /// Sends `line` to every watch and closes them all.
    pub(super) fn close_all_with(&mut self, line: &Bytes) {
        for watcher in self.list.drain(..) {
            let _ = watcher.tx.try_send(line.clone());
        }
        self.publish();
    }

    /// Closes every watch without a last event.
    pub(super) fn close_all(&mut self) {
        self.list.clear();
        self.publish();
    }

    /// Open watches per kind.
    pub(super) fn subscribe(&self) -> watch::Receiver<BTreeMap<String, usize>> {
        self.counts.subscribe()
    }

    /// Open watches on `kind` now.
    pub(super) fn count(&self, kind: &str) -> usize {
        self.list.iter().filter(|w| w.filter.kind == kind).count()
    }

    fn publish(&self) {
        let mut counts = BTreeMap::new();
        for watcher in &self.list {
            *counts.entry(watcher.filter.kind.clone()).or_insert(0) += 1;
        }
        self.counts.send_replace(counts);
    }
}
