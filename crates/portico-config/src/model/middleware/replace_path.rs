//! `replacePath`: validated options (not written yet).

/// The validated options of a `replacePath` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplacePathSpec {}
