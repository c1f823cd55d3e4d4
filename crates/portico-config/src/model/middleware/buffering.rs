//! `buffering`: validated options (not written yet).

/// The validated options of a `buffering` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BufferingSpec {}
