//! `passTLSClientCert`.

use std::sync::Arc;

use portico_config::model::middleware::pass_tls_client_cert::{DnSpec, PassTlsClientCertSpec};
use portico_core::box_http_service;
use portico_middleware::pass_tls_client_cert::{CertInfo, DnFields, PassTlsClientCertLayer};
use tower::Layer;

use super::{BuildContext, HttpLayer};

fn fields(spec: &DnSpec) -> DnFields {
    DnFields {
        country: spec.country,
        province: spec.province,
        locality: spec.locality,
        organization: spec.organization,
        organizational_unit: spec.organizational_unit,
        common_name: spec.common_name,
        serial_number: spec.serial_number,
        domain_component: spec.domain_component,
    }
}

pub(super) fn build(
    spec: &PassTlsClientCertSpec,
    _ctx: &BuildContext,
) -> Result<HttpLayer, String> {
    let info = spec.info.map(|i| CertInfo {
        not_after: i.not_after,
        not_before: i.not_before,
        sans: i.sans,
        serial_number: i.serial_number,
        subject: i.subject.as_ref().map(fields),
        issuer: i.issuer.as_ref().map(fields),
    });
    let layer = PassTlsClientCertLayer::new(spec.pem, info);
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
