//! Remembers the first error message raised while deserializing.

use std::cell::RefCell;
use std::fmt;

/// Keeps the message of the first error raised inside a deserialization.
///
/// Some formats decorate errors on their way out (serde_yaml prefixes its own
/// key path and appends `at line L column C`). The adapter records the plain
/// message where the error is raised, before any decoration, so callers can
/// report it next to their own location and path. See
/// [`Deserializer::with_capture`](super::Deserializer::with_capture).
#[derive(Debug, Default)]
pub struct ErrorCapture {
    first: RefCell<Option<String>>,
}

/// What the adapter carries down the tree: where to record errors.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Cx<'a> {
    capture: Option<&'a ErrorCapture>,
}

// === impl ErrorCapture ===

impl ErrorCapture {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first message recorded, if any error was raised.
    pub fn message(&self) -> Option<String> {
        self.first.borrow().clone()
    }

    fn record(&self, message: &dyn fmt::Display) {
        let mut first = self.first.borrow_mut();
        if first.is_none() {
            *first = Some(message.to_string());
        }
    }
}

// === impl Cx ===

impl<'a> Cx<'a> {
    pub(crate) fn new(capture: Option<&'a ErrorCapture>) -> Self {
        Self { capture }
    }

    /// Records the error of `result`, if any, and returns `result` unchanged.
    pub(crate) fn tap<T, E: fmt::Display>(self, result: Result<T, E>) -> Result<T, E> {
        if let (Err(err), Some(capture)) = (&result, self.capture) {
            capture.record(err);
        }
        result
    }

    /// Records `err` and returns it.
    pub(crate) fn note<E: fmt::Display>(self, err: E) -> E {
        if let Some(capture) = self.capture {
            capture.record(&err);
        }
        err
    }

    /// Builds a custom error and records it.
    pub(crate) fn error<E: serde::de::Error>(self, message: impl fmt::Display) -> E {
        self.note(E::custom(message))
    }
}
