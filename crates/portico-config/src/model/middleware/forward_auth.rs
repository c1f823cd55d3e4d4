//! `forwardAuth`: validated options (not written yet).

/// The validated options of a `forwardAuth` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForwardAuthSpec {}
