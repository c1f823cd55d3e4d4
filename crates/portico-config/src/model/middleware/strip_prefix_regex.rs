//! `stripPrefixRegex`: validated options (not written yet).

/// The validated options of a `stripPrefixRegex` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StripPrefixRegexSpec {}
