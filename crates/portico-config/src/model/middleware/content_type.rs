//! `contentType`: validated options (not written yet).

/// The validated options of a `contentType` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContentTypeSpec {}
