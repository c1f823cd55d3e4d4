//! `ipAllowList` (not wired yet).

use portico_config::model::middleware::ip_allow_list::IpAllowListSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &IpAllowListSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("ipAllowList is not supported by this Portico version yet".to_owned())
}
