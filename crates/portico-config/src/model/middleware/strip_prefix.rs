//! `stripPrefix`: validated options (not written yet).

/// The validated options of a `stripPrefix` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StripPrefixSpec {}
