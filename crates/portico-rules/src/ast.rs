//! The syntax tree of a rule, with byte spans into the source.
//!
//! The tree is what the parser produces before any matcher is resolved: `&&`/`||` chains
//! are flattened into lists (left to right), `!` and parentheses are kept.

/// A byte range `start..end` in the rule source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// An expression of the rule language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    /// `a && b && ...`, at least two operands.
    And(Vec<Expr>),
    /// `a || b || ...`, at least two operands.
    Or(Vec<Expr>),
    /// `!a`.
    Not(Box<Expr>),
    /// `Matcher(args...)`.
    Call(Call),
}

/// A matcher call such as ``Host(`example.com`)``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Call {
    /// The name exactly as written.
    pub(crate) name: String,
    pub(crate) name_span: Span,
    pub(crate) args: Vec<Arg>,
    /// From the name to the closing parenthesis.
    pub(crate) span: Span,
    /// Where a Go spread `...` after the last argument was written (it is ignored).
    pub(crate) ellipsis: Option<Span>,
}

/// A string argument, already unquoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Arg {
    pub(crate) value: String,
    /// The literal including its quotes.
    pub(crate) span: Span,
    /// Written with backticks: byte offsets inside the value map one to one onto the source.
    pub(crate) raw: bool,
}

// === impl Arg ===

impl Arg {
    /// The source position of byte `offset` of the unquoted value, when it can be known
    /// (raw strings without carriage returns); the start of the literal otherwise.
    pub(crate) fn position_of(&self, offset: usize) -> usize {
        let inner = self.span.start + 1 + offset;
        if self.raw && self.span.end - self.span.start == self.value.len() + 2 {
            inner
        } else {
            self.span.start
        }
    }
}
