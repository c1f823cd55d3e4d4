//! `ipAllowList`: validated options (not written yet).

/// The validated options of a `ipAllowList` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpAllowListSpec {}
