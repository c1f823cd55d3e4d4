//! `replacePathRegex`: validated options (not written yet).

/// The validated options of a `replacePathRegex` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplacePathRegexSpec {}
