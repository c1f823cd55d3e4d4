//! `encodedCharacters`: validated options.

/// The validated options of an `encodedCharacters` middleware: which
/// percent-encoded characters request paths may carry (all false by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncodedCharactersSpec {
    /// `%2F`.
    pub allow_encoded_slash: bool,
    /// `%5C`.
    pub allow_encoded_back_slash: bool,
    /// `%00`.
    pub allow_encoded_null_character: bool,
    /// `%3B`.
    pub allow_encoded_semicolon: bool,
    /// `%25`.
    pub allow_encoded_percent: bool,
    /// `%3F`.
    pub allow_encoded_question_mark: bool,
    /// `%23`.
    pub allow_encoded_hash: bool,
}
