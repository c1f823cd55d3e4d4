//! `inFlightReq`: one set of counters per router, as Traefik builds it.

use std::sync::Arc;

use portico_config::model::middleware::in_flight_req::InFlightReqSpec;
use portico_core::{Body, box_http_service};
use portico_middleware::in_flight_req::InFlightReqLayer;
use tower::{Layer, ServiceExt};

use super::{BuildContext, HttpLayer, ip_allow_list::source_criterion};

pub(super) fn build(spec: &InFlightReqSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let criterion = source_criterion(&spec.source_criterion)?;
    let amount = spec.amount;
    Ok(Arc::new(move |inner| {
        let layer = InFlightReqLayer::new(amount, criterion.clone());
        box_http_service(
            layer
                .layer(inner)
                .map_response(|response| response.map(Body::new)),
        )
    }))
}
