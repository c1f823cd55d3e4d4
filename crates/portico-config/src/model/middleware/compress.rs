//! `compress`: validated options (not written yet).

/// The validated options of a `compress` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompressSpec {}
