//! `retry`: validated options (not written yet).

/// The validated options of a `retry` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetrySpec {}
