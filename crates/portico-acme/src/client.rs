//! The HTTPS client talking to the CA: rustls with ring, trust from `caCertificates`
//! and/or the system, `caServerName` and the client timeouts.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use bytes::Bytes;
use hyper_rustls::{FixedServerNameResolver, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use instant_acme::{BodyWrapper, BytesResponse, HttpClient};
use portico_config::model::AcmeResolverSpec;
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, ServerName, pem::PemObject};

/// Why the HTTPS client for the CA could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A `caCertificates` file could not be read.
    #[error("cannot read CA certificates from {path}")]
    CaFile {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    /// No trust anchor at all.
    #[error("no trusted CA certificate (caCertificates empty and no system certificate found)")]
    NoRoots,
    /// `caServerName` is not a valid name.
    #[error("invalid caServerName {0:?}")]
    ServerName(String),
    /// rustls refused the configuration.
    #[error("TLS configuration")]
    Tls(#[source] rustls::Error),
}

/// A hyper client with per-request timeouts, as instant-acme's [`HttpClient`].
#[derive(Clone)]
pub(crate) struct CaClient {
    client: Client<HttpsConnector<HttpConnector>, BodyWrapper<Bytes>>,
    timeout: Duration,
}

impl CaClient {
    /// The client `spec` asks for.
    pub(crate) fn new(spec: &AcmeResolverSpec) -> Result<Self, ClientError> {
        let mut roots = RootCertStore::empty();
        for path in &spec.ca_certificates {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|source| ClientError::CaFile {
                    path: path.display().to_string(),
                    source,
                })?;
            roots.add_parsable_certificates(certs);
        }
        if spec.ca_certificates.is_empty() || spec.ca_system_cert_pool {
            let native = rustls_native_certs::load_native_certs();
            for e in &native.errors {
                tracing::debug!(error = %e, "skipping a system CA certificate");
            }
            roots.add_parsable_certificates(native.certs);
        }
        if roots.is_empty() {
            return Err(ClientError::NoRoots);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(ClientError::Tls)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(spec.client_response_header_timeout));
        let builder = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        let builder = match &spec.ca_server_name {
            Some(name) => {
                let name = ServerName::try_from(name.clone())
                    .map_err(|_| ClientError::ServerName(name.clone()))?;
                builder.with_server_name_resolver(FixedServerNameResolver::new(name))
            }
            None => builder,
        };
        let connector = builder.enable_http1().enable_http2().wrap_connector(http);
        Ok(CaClient {
            client: Client::builder(TokioExecutor::new()).build(connector),
            timeout: spec.client_timeout,
        })
    }
}

impl HttpClient for CaClient {
    fn request(
        &self,
        req: http::Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, instant_acme::Error>> + Send>> {
        let fut = self.client.request(req);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, fut).await {
                Ok(Ok(rsp)) => Ok(BytesResponse::from(rsp)),
                Ok(Err(e)) => Err(instant_acme::Error::Other(Box::new(e))),
                Err(_) => Err(instant_acme::Error::Other(
                    format!("no response from the CA within {timeout:?} (clientTimeout)").into(),
                )),
            }
        })
    }
}
