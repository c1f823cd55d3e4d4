//! The self-signed default certificate, generated once per process as Traefik's.

use std::sync::{Arc, OnceLock};

use rustls::sign::CertifiedKey;

/// Traefik's default certificate's common name.
const DEFAULT_CN: &str = "TRAEFIK DEFAULT CERT";

static GENERATED: OnceLock<Option<Arc<CertifiedKey>>> = OnceLock::new();

/// The process's generated default certificate (ECDSA P-256, CN
/// `TRAEFIK DEFAULT CERT`, SAN `<random>.<random>.traefik.default`, valid a year).
/// `None` when generation failed (logged once).
pub(crate) fn default_certificate() -> Option<Arc<CertifiedKey>> {
    GENERATED
        .get_or_init(|| match generate() {
            Ok(key) => Some(Arc::new(key)),
            Err(error) => {
                tracing::error!(%error, "cannot generate the default TLS certificate");
                None
            }
        })
        .clone()
}

fn generate() -> Result<CertifiedKey, Box<dyn std::error::Error + Send + Sync>> {
    let key = rcgen::KeyPair::generate()?;
    // The fresh public key is random enough to name the certificate.
    let point = key.public_key_raw();
    let random = point.get(1..17).unwrap_or(point);
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let san = format!(
        "{}.{}.traefik.default",
        hex(&random[..random.len() / 2]),
        hex(&random[random.len() / 2..])
    );
    let mut params = rcgen::CertificateParams::new(vec![san])?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, DEFAULT_CN);
    let now = std::time::SystemTime::now();
    params.not_before = now.into();
    params.not_after = (now + std::time::Duration::from_secs(365 * 24 * 3600)).into();
    let cert = params.self_signed(&key)?;
    let der = rustls_pki_types::PrivateKeyDer::try_from(key.serialize_der())?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&der)?;
    Ok(CertifiedKey::new(vec![cert.der().clone()], signing))
}

#[cfg(test)]
mod tests {
    use x509_parser::prelude::FromDer;

    #[test]
    fn generated_like_traefik() {
        let key = super::default_certificate().unwrap();
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&key.cert[0]).unwrap();
        let cn = cert.subject().iter_common_name().next().unwrap();
        assert_eq!(cn.as_str().unwrap(), "TRAEFIK DEFAULT CERT");
        let san = cert.subject_alternative_name().unwrap().unwrap();
        let name = format!("{:?}", san.value.general_names[0]);
        assert!(name.ends_with(".traefik.default\")"), "{name}");
        assert!(key.keys_match().is_ok());
        // Once per process.
        assert!(std::sync::Arc::ptr_eq(
            &key,
            &super::default_certificate().unwrap()
        ));
    }
}
