//! `contentType`: validated options.

/// The validated options of a `contentType` middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentTypeSpec {
    /// Detect a missing `Content-Type` (default true; the deprecated `autoDetect:
    /// false` turns the middleware into a no-op, as in Traefik).
    pub auto_detect: bool,
}

impl Default for ContentTypeSpec {
    fn default() -> Self {
        ContentTypeSpec { auto_detect: true }
    }
}
