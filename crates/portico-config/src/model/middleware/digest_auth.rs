//! `digestAuth`: validated options (not written yet).

/// The validated options of a `digestAuth` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DigestAuthSpec {}
