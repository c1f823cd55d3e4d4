//! `redirectScheme`: validated options (not written yet).

/// The validated options of a `redirectScheme` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedirectSchemeSpec {}
