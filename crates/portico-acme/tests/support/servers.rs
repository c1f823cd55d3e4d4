//! The challenge servers pebble validates against, and chain verification.

#![allow(dead_code)]

use std::{sync::Arc, time::SystemTime};

use portico_acme::{
    IssuedCertificate,
    challenge::{
        http01::{Http01Service, Http01Tokens},
        tls_alpn01::{ACME_TLS_ALPN, TlsAlpnCertificates, TlsAlpnResolver},
    },
};
use rustls::{
    RootCertStore,
    client::WebPkiServerVerifier,
    client::danger::ServerCertVerifier,
    server::{ClientHello, ResolvesServerCert},
    sign::CertifiedKey,
};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject};
use tokio::{net::TcpListener, task::JoinHandle};

/// Serves `tokens` over plain HTTP on 127.0.0.1; returns the port.
pub async fn http01_server(tokens: Http01Tokens) -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback_service(Http01Service::new(tokens));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, task)
}

/// Never answers: only `acme-tls/1` handshakes get a certificate.
#[derive(Debug)]
struct NoCertificate;

impl ResolvesServerCert for NoCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        None
    }
}

/// A TLS server on 127.0.0.1 answering `acme-tls/1` handshakes from `certs`; returns
/// the port.
pub async fn tls_alpn_server(certs: TlsAlpnCertificates) -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(TlsAlpnResolver::new(
        certs,
        Arc::new(NoCertificate),
    )));
    config.alpn_protocols = vec![ACME_TLS_ALPN.to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // The validator only needs the handshake.
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    (port, task)
}

/// Verifies `cert`'s chain up to `root` for `name`, as a TLS client would.
pub fn verify_chain(cert: &IssuedCertificate, root: &CertificateDer<'static>, name: &str) {
    let mut roots = RootCertStore::empty();
    roots.add(root.clone()).unwrap();
    let verifier = WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::new(rustls::crypto::ring::default_provider()),
    )
    .build()
    .unwrap();
    let chain = cert.chain_der();
    assert!(
        chain.len() >= 2,
        "leaf and intermediate expected, got {}",
        chain.len()
    );
    let now = UnixTime::since_unix_epoch(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap(),
    );
    verifier
        .verify_server_cert(
            &chain[0],
            &chain[1..],
            &ServerName::try_from(name.to_owned()).unwrap(),
            &[],
            now,
        )
        .unwrap_or_else(|e| panic!("chain for {name} does not verify: {e}"));
}

/// Whether the stored key is the one of the leaf (checked by building a rustls key).
pub fn key_matches(cert: &IssuedCertificate) -> bool {
    let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).unwrap();
    let signing = rustls::crypto::ring::sign::any_supported_type(&key).unwrap();
    let ck = CertifiedKey::new(cert.chain_der(), signing);
    ck.keys_match().is_ok()
}
