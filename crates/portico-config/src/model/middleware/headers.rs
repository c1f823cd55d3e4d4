//! `headers`: validated options (not written yet).

/// The validated options of a `headers` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeadersSpec {}
