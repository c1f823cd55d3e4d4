//! `replacePath`: validated options.

/// The validated options of a `replacePath` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplacePathSpec {
    /// The path every request gets (the old one goes to `X-Replaced-Path`).
    pub path: String,
}
