//! `addPrefix`: validated options (not written yet).

/// The validated options of a `addPrefix` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddPrefixSpec {}
