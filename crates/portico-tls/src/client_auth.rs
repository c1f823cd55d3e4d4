//! Client authentication: Traefik's `clientAuth` and a rustls verifier for each of
//! its five `clientAuthType`s.

use std::{fmt, str::FromStr, sync::Arc};

use rustls::{
    DigitallySignedStruct, DistinguishedName, Error, RootCertStore, SignatureScheme,
    client::danger::HandshakeSignatureValid,
    crypto::{
        CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
    },
    server::{
        WebPkiClientVerifier,
        danger::{ClientCertVerified, ClientCertVerifier},
    },
};
use rustls_pki_types::{CertificateDer, UnixTime};

use crate::{OptionsError, PemSource};

/// `clientAuth`: which client certificates to ask for and how to verify them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientAuth {
    /// `caFiles`: CA certificates (files or inline PEM, several per file allowed).
    pub ca_files: Vec<PemSource>,
    /// `clientAuthType`. Unset: `RequireAndVerifyClientCert` when `ca_files` is not
    /// empty, else `NoClientCert` (as Traefik).
    pub kind: Option<ClientAuthType>,
}

/// Traefik's (Go's) client authentication policies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ClientAuthType {
    /// Do not ask for a certificate.
    #[default]
    NoClientCert,
    /// Ask; accept any certificate or none, without verifying it.
    RequestClientCert,
    /// Require a certificate; do not verify its chain.
    RequireAnyClientCert,
    /// Verify a certificate against `caFiles` when the client sends one.
    VerifyClientCertIfGiven,
    /// Require a certificate that verifies against `caFiles`.
    RequireAndVerifyClientCert,
}

/// Asks for a client certificate and accepts any (or none, unless `mandatory`)
/// without verifying its chain; the handshake signature is still checked, so the
/// client holds the key of the certificate it sent.
#[derive(Debug)]
struct AnyClientCert {
    mandatory: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

/// The verifier for `kind` (`roots` from [`ClientAuth::load_roots`]), or `None` for
/// `NoClientCert`.
///
/// [`ClientAuth::load_roots`]: crate::ClientAuth::load_roots
pub(crate) fn verifier(
    kind: ClientAuthType,
    roots: Vec<CertificateDer<'static>>,
    provider: &Arc<CryptoProvider>,
) -> Result<Option<Arc<dyn ClientCertVerifier>>, OptionsError> {
    let algorithms = provider.signature_verification_algorithms;
    let verify =
        |allow_unauthenticated: bool| -> Result<Arc<dyn ClientCertVerifier>, OptionsError> {
            if roots.is_empty() {
                return Err(OptionsError::MissingClientCa { kind });
            }
            let mut store = RootCertStore::empty();
            store.add_parsable_certificates(roots.iter().cloned());
            let builder =
                WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider.clone());
            let builder = if allow_unauthenticated {
                builder.allow_unauthenticated()
            } else {
                builder
            };
            builder
                .build()
                .map_err(|source| OptionsError::Verifier { source })
        };
    Ok(match kind {
        ClientAuthType::NoClientCert => None,
        ClientAuthType::RequestClientCert => Some(Arc::new(AnyClientCert {
            mandatory: false,
            algorithms,
        })),
        ClientAuthType::RequireAnyClientCert => Some(Arc::new(AnyClientCert {
            mandatory: true,
            algorithms,
        })),
        ClientAuthType::VerifyClientCertIfGiven => Some(verify(true)?),
        ClientAuthType::RequireAndVerifyClientCert => Some(verify(false)?),
    })
}

// === impl ClientAuth ===

impl ClientAuth {
    /// The policy applied: `kind`, or Traefik's default for the CA files given.
    pub fn effective_kind(&self) -> ClientAuthType {
        match self.kind {
            Some(kind) => kind,
            None if self.ca_files.is_empty() => ClientAuthType::NoClientCert,
            None => ClientAuthType::RequireAndVerifyClientCert,
        }
    }

    /// The CA certificates a verifying policy needs (reads the files; blocking).
    /// Empty for the policies that do not verify.
    pub fn load_roots(&self) -> Result<Vec<CertificateDer<'static>>, OptionsError> {
        let kind = self.effective_kind();
        if !kind.verifies() {
            return Ok(Vec::new());
        }
        if self.ca_files.is_empty() {
            return Err(OptionsError::MissingClientCa { kind });
        }
        let mut roots = Vec::new();
        for source in &self.ca_files {
            let certs = source
                .read_certificates()
                .map_err(|source| OptionsError::ClientCa { source })?;
            let mut store = rustls::RootCertStore::empty();
            let (added, _) = store.add_parsable_certificates(certs.iter().cloned());
            if added == 0 {
                return Err(OptionsError::InvalidClientCa {
                    source_name: source.clone(),
                });
            }
            roots.extend(certs);
        }
        Ok(roots)
    }
}

// === impl ClientAuthType ===

impl ClientAuthType {
    /// Traefik's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuthType::NoClientCert => "NoClientCert",
            ClientAuthType::RequestClientCert => "RequestClientCert",
            ClientAuthType::RequireAnyClientCert => "RequireAnyClientCert",
            ClientAuthType::VerifyClientCertIfGiven => "VerifyClientCertIfGiven",
            ClientAuthType::RequireAndVerifyClientCert => "RequireAndVerifyClientCert",
        }
    }

    /// Whether certificates are verified against CAs.
    pub fn verifies(self) -> bool {
        matches!(
            self,
            ClientAuthType::VerifyClientCertIfGiven | ClientAuthType::RequireAndVerifyClientCert
        )
    }
}

impl FromStr for ClientAuthType {
    type Err = OptionsError;

    /// Traefik's names, ASCII case-insensitive.
    fn from_str(value: &str) -> Result<Self, OptionsError> {
        [
            ClientAuthType::NoClientCert,
            ClientAuthType::RequestClientCert,
            ClientAuthType::RequireAnyClientCert,
            ClientAuthType::VerifyClientCertIfGiven,
            ClientAuthType::RequireAndVerifyClientCert,
        ]
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(value.trim()))
        .ok_or_else(|| OptionsError::UnknownClientAuthType {
            value: value.to_owned(),
        })
    }
}

impl fmt::Display for ClientAuthType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// === impl AnyClientCert ===

impl ClientCertVerifier for AnyClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
