//! `inFlightReq` validation (not written yet).

use crate::{model::middleware::in_flight_req::InFlightReqSpec, raw::routing::InFlightReq};

pub(super) fn validate(
    path: &str,
    raw: Option<&InFlightReq>,
    provider: &str,
) -> Result<InFlightReqSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
