//! `redirectRegex`: validated options.

/// The validated options of a `redirectRegex` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedirectRegexSpec {
    /// The regular expression matched against the request URL (known to compile).
    pub regex: String,
    /// The redirect target, with `$1`/`${name}` references.
    pub replacement: String,
    /// `301`/`308` instead of `302`/`307` (default false).
    pub permanent: bool,
}
