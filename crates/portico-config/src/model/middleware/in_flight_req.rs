//! `inFlightReq`: validated options.

use super::rate_limit::SourceCriterionSpec;

/// The validated options of an `inFlightReq` middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlightReqSpec {
    /// `amount`: concurrent requests allowed per source (at least 1).
    pub amount: u64,
    /// `sourceCriterion` (default: the requested host, as in Traefik).
    pub source_criterion: SourceCriterionSpec,
}
