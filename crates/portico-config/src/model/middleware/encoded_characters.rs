//! `encodedCharacters`: validated options (not written yet).

/// The validated options of a `encodedCharacters` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncodedCharactersSpec {}
