//! `inFlightReq` (not wired yet).

use portico_config::model::middleware::in_flight_req::InFlightReqSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &InFlightReqSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("inFlightReq is not supported by this Portico version yet".to_owned())
}
