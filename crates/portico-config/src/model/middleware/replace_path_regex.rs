//! `replacePathRegex`: validated options.

/// The validated options of a `replacePathRegex` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplacePathRegexSpec {
    /// The regular expression (trimmed, known to compile).
    pub regex: String,
    /// The replacement (trimmed), with `$1`/`${name}` references.
    pub replacement: String,
}
