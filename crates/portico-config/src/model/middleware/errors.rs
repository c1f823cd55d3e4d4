//! `errors`: validated options (not written yet).

/// The validated options of a `errors` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorsSpec {}
