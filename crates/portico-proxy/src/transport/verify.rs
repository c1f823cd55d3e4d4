//! Server certificate checks beyond the defaults: `insecureSkipVerify` and
//! `peerCertSANs`.

use std::{net::IpAddr, sync::Arc};

use rustls::{
    CertificateError, DigitallySignedStruct, Error, OtherError, SignatureScheme,
    client::{
        WebPkiServerVerifier,
        danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    },
};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use x509_parser::{certificate::X509Certificate, extensions::GeneralName, prelude::FromDer};

/// Verifies server certificates for a transport with `insecure_skip_verify` or
/// `peer_cert_sans`.
///
/// - The chain is checked by the wrapped [`WebPkiServerVerifier`] (roots, validity
///   dates, key usage), unless `insecure_skip_verify` is set.
/// - With `peer_cert_sans`, the certificate must carry one of those names (DNS,
///   URI or IP subject alternative name) and the host name is not checked.
/// - Handshake signatures are always checked, so the server proves it holds the
///   certificate's key even when the certificate itself is not verified.
#[derive(Debug)]
pub(crate) struct PeerVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    insecure_skip_verify: bool,
    peer_cert_sans: Vec<String>,
}

/// The server certificate carries none of the expected names.
#[derive(Debug, thiserror::Error)]
#[error("server certificate carries none of the names {expected:?} (found {found:?})")]
struct SanMismatch {
    expected: Vec<String>,
    found: Vec<String>,
}

// === impl PeerVerifier ===

impl PeerVerifier {
    pub(crate) fn new(
        webpki: Arc<WebPkiServerVerifier>,
        insecure_skip_verify: bool,
        peer_cert_sans: Vec<String>,
    ) -> PeerVerifier {
        PeerVerifier {
            webpki,
            insecure_skip_verify,
            peer_cert_sans,
        }
    }

    fn check_sans(&self, end_entity: &CertificateDer<'_>) -> Result<(), Error> {
        let found = subject_alt_names(end_entity)?;
        let matches = self.peer_cert_sans.iter().any(|expected| {
            found.iter().any(|name| match name {
                San::Dns(dns) => dns.eq_ignore_ascii_case(expected.trim_end_matches('.')),
                San::Uri(uri) => uri == expected,
                San::Ip(ip) => expected.parse::<IpAddr>().is_ok_and(|e| e == *ip),
            })
        });
        if matches {
            return Ok(());
        }
        let mismatch = SanMismatch {
            expected: self.peer_cert_sans.clone(),
            found: found.iter().map(San::to_string).collect(),
        };
        Err(Error::InvalidCertificate(CertificateError::Other(
            OtherError(Arc::new(mismatch)),
        )))
    }
}

impl ServerCertVerifier for PeerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if !self.insecure_skip_verify {
            let verified = self.webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            );
            match verified {
                Ok(_) => {}
                // The name is checked last, once the chain is known good: with
                // `peer_cert_sans` the expected names replace the host name.
                Err(Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                )) if !self.peer_cert_sans.is_empty() => {}
                Err(error) => return Err(error),
            }
        }
        if !self.peer_cert_sans.is_empty() {
            self.check_sans(end_entity)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        self.webpki.root_hint_subjects()
    }
}

/// One subject alternative name of a certificate.
#[derive(Debug, PartialEq, Eq)]
enum San {
    Dns(String),
    Uri(String),
    Ip(IpAddr),
}

impl std::fmt::Display for San {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            San::Dns(name) => write!(f, "DNS:{name}"),
            San::Uri(uri) => write!(f, "URI:{uri}"),
            San::Ip(ip) => write!(f, "IP:{ip}"),
        }
    }
}

/// The DNS, URI and IP subject alternative names of a DER certificate.
fn subject_alt_names(der: &CertificateDer<'_>) -> Result<Vec<San>, Error> {
    let (_, cert) = X509Certificate::from_der(der.as_ref())
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let san = cert
        .subject_alternative_name()
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let Some(san) = san else {
        return Ok(Vec::new());
    };
    Ok(san
        .value
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some(San::Dns((*dns).to_owned())),
            GeneralName::URI(uri) => Some(San::Uri((*uri).to_owned())),
            GeneralName::IPAddress(bytes) => ip_from_bytes(bytes).map(San::Ip),
            _ => None,
        })
        .collect())
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return Some(IpAddr::from(v4));
    }
    <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_sans_decode_both_families() {
        assert_eq!(
            ip_from_bytes(&[127, 0, 0, 1]),
            Some(IpAddr::from([127, 0, 0, 1]))
        );
        let v6 = ip_from_bytes(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(v6, Some("::1".parse().unwrap()));
        assert_eq!(ip_from_bytes(&[1, 2, 3]), None);
    }

    #[test]
    fn garbage_is_a_bad_encoding_not_a_panic() {
        let err = subject_alt_names(&CertificateDer::from(vec![0x30, 0x03, 1, 2, 3])).unwrap_err();
        assert_eq!(
            err,
            Error::InvalidCertificate(CertificateError::BadEncoding)
        );
    }
}
