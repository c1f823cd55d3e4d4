//! `redirectScheme`: validated options.

/// The validated options of a `redirectScheme` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedirectSchemeSpec {
    /// The target scheme (non-empty).
    pub scheme: String,
    /// The target port, when set.
    pub port: Option<String>,
    /// `301`/`308` instead of `302`/`307` (default false).
    pub permanent: bool,
}
