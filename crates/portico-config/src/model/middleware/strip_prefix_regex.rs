//! `stripPrefixRegex`: validated options.

/// The validated options of a `stripPrefixRegex` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StripPrefixRegexSpec {
    /// Regular expressions (trimmed, known to compile), tried in order.
    pub regex: Vec<String>,
}
