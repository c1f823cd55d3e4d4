//! `inFlightReq`: validated options (not written yet).

/// The validated options of a `inFlightReq` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InFlightReqSpec {}
