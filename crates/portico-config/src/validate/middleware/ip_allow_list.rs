//! `ipAllowList` validation (not written yet).

use crate::{model::middleware::ip_allow_list::IpAllowListSpec, raw::routing::IpAllowList};

pub(super) fn validate(
    path: &str,
    raw: Option<&IpAllowList>,
    provider: &str,
) -> Result<IpAllowListSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
