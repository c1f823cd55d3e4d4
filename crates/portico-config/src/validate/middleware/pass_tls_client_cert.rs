//! `passTlsClientCert` validation (not written yet).

use crate::{
    model::middleware::pass_tls_client_cert::PassTlsClientCertSpec, raw::routing::PassTlsClientCert,
};

pub(super) fn validate(
    path: &str,
    raw: Option<&PassTlsClientCert>,
    provider: &str,
) -> Result<PassTlsClientCertSpec, Vec<String>> {
    let _ = (raw, provider);
    Err(vec![format!(
        "{path}: not supported by this Portico version yet"
    )])
}
