//! `redirectRegex`: validated options (not written yet).

/// The validated options of a `redirectRegex` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedirectRegexSpec {}
