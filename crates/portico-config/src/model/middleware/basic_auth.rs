//! `basicAuth`: validated options (not written yet).

/// The validated options of a `basicAuth` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BasicAuthSpec {}
