//! `addPrefix`: validated options.

/// The validated options of an `addPrefix` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddPrefixSpec {
    /// The prefix added to every path (non-empty).
    pub prefix: String,
}
