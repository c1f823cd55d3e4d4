//! Certificate keys of the configured `keyType`, and the CSR sent to the CA.

use portico_config::model::KeyType;
use rcgen::{
    CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_ECDSA_P256_SHA256,
    PKCS_ECDSA_P384_SHA384, PKCS_RSA_SHA256, SanType,
};
use rsa::pkcs8::EncodePrivateKey;
use rustls_pki_types::PrivatePkcs8KeyDer;

/// Why a key or CSR could not be made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// RSA key generation failed.
    #[error("generating a {bits}-bit RSA key failed")]
    Rsa {
        /// The key size.
        bits: usize,
        /// The cause.
        #[source]
        source: rsa::Error,
    },
    /// Encoding the RSA key failed.
    #[error("encoding the RSA key failed")]
    Pkcs8(#[source] rsa::pkcs8::Error),
    /// rcgen refused the key or the CSR.
    #[error("building the key or CSR failed")]
    Rcgen(#[source] rcgen::Error),
}

/// A new private key of `key_type`.
///
/// EC keys come from ring (through rcgen); RSA keys from the `rsa` crate, then loaded
/// into rcgen for signing. RSA8192 takes a while.
pub(crate) fn generate(key_type: KeyType) -> Result<KeyPair, KeyError> {
    let bits = match key_type {
        KeyType::Ec256 => {
            return KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(KeyError::Rcgen);
        }
        KeyType::Ec384 => {
            return KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).map_err(KeyError::Rcgen);
        }
        KeyType::Rsa2048 => 2048,
        KeyType::Rsa4096 => 4096,
        KeyType::Rsa8192 => 8192,
    };
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits)
        .map_err(|source| KeyError::Rsa { bits, source })?;
    let der = key.to_pkcs8_der().map_err(KeyError::Pkcs8)?;
    let pkcs8 = PrivatePkcs8KeyDer::from(der.as_bytes().to_vec());
    KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &PKCS_RSA_SHA256).map_err(KeyError::Rcgen)
}

/// A DER CSR for `names` (the first is the common name unless `disable_common_name`),
/// with `email_addresses` as e-mail SANs.
pub(crate) fn csr(
    key: &KeyPair,
    names: &[String],
    email_addresses: &[String],
    disable_common_name: bool,
) -> Result<Vec<u8>, KeyError> {
    let mut params = CertificateParams::new(names.to_vec()).map_err(KeyError::Rcgen)?;
    let mut dn = DistinguishedName::new();
    if let (false, Some(cn)) = (disable_common_name, names.first()) {
        dn.push(DnType::CommonName, cn.as_str());
    }
    params.distinguished_name = dn;
    for email in email_addresses {
        let email = email.as_str().try_into().map_err(KeyError::Rcgen)?;
        params.subject_alt_names.push(SanType::Rfc822Name(email));
    }
    let csr = params.serialize_request(key).map_err(KeyError::Rcgen)?;
    Ok(csr.der().to_vec())
}

#[cfg(test)]
mod tests {
    use x509_parser::prelude::{FromDer, X509CertificationRequest};

    use super::*;

    #[test]
    fn ec_keys_and_csr() {
        for (kt, oid_len) in [(KeyType::Ec256, 32), (KeyType::Ec384, 48)] {
            let key = generate(kt).unwrap();
            assert_eq!(key.public_key_raw().len(), 1 + 2 * oid_len, "{kt}");
        }
        let key = generate(KeyType::Ec256).unwrap();
        let names = vec!["a.example.com".to_owned(), "b.example.com".to_owned()];
        let der = csr(&key, &names, &["ops@example.com".into()], false).unwrap();
        let (_, req) = X509CertificationRequest::from_der(&der).unwrap();
        let subject = req.certification_request_info.subject.to_string();
        assert_eq!(subject, "CN=a.example.com");
        let no_cn = csr(&key, &names, &[], true).unwrap();
        let (_, req) = X509CertificationRequest::from_der(&no_cn).unwrap();
        assert_eq!(req.certification_request_info.subject.to_string(), "");
    }

    #[test]
    fn rsa_2048_key_signs_a_csr() {
        let key = generate(KeyType::Rsa2048).unwrap();
        assert!(key.serialize_pem().contains("BEGIN PRIVATE KEY"));
        let der = csr(&key, &["rsa.example.com".into()], &[], false).unwrap();
        assert!(X509CertificationRequest::from_der(&der).is_ok());
    }
}
