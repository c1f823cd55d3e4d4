//! The HTTP(S) client `forwardAuth` calls its authentication server with.

use std::{sync::Arc, time::Duration};

use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::{TokioExecutor, TokioTimer},
};
use portico_core::Body;
use rustls::{
    ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{CryptoProvider, ring},
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime, pem::PemObject};

/// TLS towards the authentication server (`forwardAuth.tls`), with PEM contents
/// already read.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientTls {
    /// Trusted CA certificates (PEM); `None`: no roots, so only `insecure_skip_verify`
    /// lets an `https` address work. Callers pass the system bundle when they want it.
    pub ca: Option<Vec<u8>>,
    /// Client certificate chain (PEM), for mutual TLS.
    pub cert: Option<Vec<u8>>,
    /// Client private key (PEM), required with `cert`.
    pub key: Option<Vec<u8>>,
    /// Accept any server certificate.
    pub insecure_skip_verify: bool,
}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls")
            .field("ca", &self.ca.is_some())
            .field("cert", &self.cert.is_some())
            .field("key", &self.key.is_some())
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .finish()
    }
}

/// Why a [`ClientTls`] cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ClientTlsError {
    /// The CA data holds no PEM certificate.
    #[error("no CA certificate found in the ca PEM data")]
    NoCa,
    /// The client certificate data holds no PEM certificate.
    #[error("no certificate found in the cert PEM data")]
    NoCert,
    /// The key data holds no usable PEM private key.
    #[error("no private key found in the key PEM data")]
    NoKey,
    /// `cert` without `key`, or `key` without `cert`.
    #[error("cert and key must be given together")]
    Pair,
    /// rustls refused the configuration.
    #[error("invalid TLS configuration")]
    Rustls(#[source] rustls::Error),
}

/// A pooled HTTP/1.1 and HTTP/2 client, `http` and `https`, that never follows
/// redirects; cheap to clone.
#[derive(Clone, Debug)]
pub struct AuthClient {
    client: Client<HttpsConnector<HttpConnector>, Body>,
    timeout: Duration,
}

// === impl AuthClient ===

impl AuthClient {
    /// A client without TLS settings: `https` addresses fail certificate
    /// verification (no trusted roots).
    pub fn new() -> AuthClient {
        AuthClient::build(Self::base(RootCertStore::empty()))
    }

    /// A client for `tls`.
    pub fn with_tls(tls: &ClientTls) -> Result<AuthClient, ClientTlsError> {
        let provider = Arc::new(ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(ClientTlsError::Rustls)?;
        let builder = if tls.insecure_skip_verify {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        } else {
            let mut roots = RootCertStore::empty();
            if let Some(ca) = &tls.ca {
                let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(ca)
                    .filter_map(Result::ok)
                    .collect();
                let (added, _) = roots.add_parsable_certificates(certs);
                if added == 0 {
                    return Err(ClientTlsError::NoCa);
                }
            }
            builder.with_root_certificates(roots)
        };
        let config = match (&tls.cert, &tls.key) {
            (None, None) => builder.with_no_client_auth(),
            (Some(cert), Some(key)) => {
                let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert)
                    .filter_map(Result::ok)
                    .collect();
                if chain.is_empty() {
                    return Err(ClientTlsError::NoCert);
                }
                let key = PrivateKeyDer::from_pem_slice(key).map_err(|_| ClientTlsError::NoKey)?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(ClientTlsError::Rustls)?
            }
            _ => return Err(ClientTlsError::Pair),
        };
        Ok(AuthClient::build(config))
    }

    fn base(roots: RootCertStore) -> ClientConfig {
        ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map(|b| b.with_root_certificates(roots).with_no_client_auth())
            .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"))
    }

    fn build(config: ClientConfig) -> AuthClient {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(Duration::from_secs(30)));
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector);
        AuthClient {
            client,
            timeout: Duration::from_secs(30),
        }
    }

    /// Bounds a whole exchange, response body included (Traefik: 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub(super) fn inner(&self) -> &Client<HttpsConnector<HttpConnector>, Body> {
        &self.client
    }

    pub(super) fn exchange_timeout(&self) -> Duration {
        self.timeout
    }
}

impl Default for AuthClient {
    fn default() -> Self {
        AuthClient::new()
    }
}

/// `insecureSkipVerify`: accepts any certificate, still checks handshake
/// signatures.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
