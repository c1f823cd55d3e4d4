//! `stripPrefix`: validated options.

/// The validated options of a `stripPrefix` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StripPrefixSpec {
    /// Prefixes tried in order; the first the path starts with is removed.
    pub prefixes: Vec<String>,
    /// Deprecated `forceSlash` (default false).
    pub force_slash: bool,
}
