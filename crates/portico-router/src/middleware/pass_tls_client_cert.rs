//! `passTlsClientCert` (not wired yet).

use portico_config::model::middleware::pass_tls_client_cert::PassTlsClientCertSpec;

use super::{BuildContext, HttpLayer};

pub(super) fn build(spec: &PassTlsClientCertSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    let _ = (spec, ctx);
    Err("passTlsClientCert is not supported by this Portico version yet".to_owned())
}
