//! `passTLSClientCert` validation.

use crate::{
    model::middleware::pass_tls_client_cert::{CertInfoSpec, DnSpec, PassTlsClientCertSpec},
    raw::routing::PassTlsClientCert,
};

pub(super) fn validate(
    _path: &str,
    raw: Option<&PassTlsClientCert>,
    _provider: &str,
) -> Result<PassTlsClientCertSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    let on = |v: Option<bool>| v.unwrap_or(false);
    let info = raw.info.map(|i| CertInfoSpec {
        not_after: on(i.not_after),
        not_before: on(i.not_before),
        sans: on(i.sans),
        serial_number: on(i.serial_number),
        subject: i.subject.map(|s| DnSpec {
            country: on(s.country),
            province: on(s.province),
            locality: on(s.locality),
            organization: on(s.organization),
            organizational_unit: on(s.organizational_unit),
            common_name: on(s.common_name),
            serial_number: on(s.serial_number),
            domain_component: on(s.domain_component),
        }),
        issuer: i.issuer.map(|s| DnSpec {
            country: on(s.country),
            province: on(s.province),
            locality: on(s.locality),
            organization: on(s.organization),
            organizational_unit: false,
            common_name: on(s.common_name),
            serial_number: on(s.serial_number),
            domain_component: on(s.domain_component),
        }),
    });
    Ok(PassTlsClientCertSpec {
        pem: on(raw.pem),
        info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::routing::{TlsClientCertInfo, TlsClientCertSubject};

    #[test]
    fn fields_default_to_off() {
        let raw = PassTlsClientCert {
            pem: Some(true),
            info: Some(TlsClientCertInfo {
                sans: Some(true),
                subject: Some(TlsClientCertSubject {
                    common_name: Some(true),
                    ..TlsClientCertSubject::default()
                }),
                ..TlsClientCertInfo::default()
            }),
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert!(spec.pem);
        let info = spec.info.unwrap();
        assert!(info.sans && !info.not_after);
        assert!(info.subject.unwrap().common_name);
        assert_eq!(info.issuer, None);
    }
}
