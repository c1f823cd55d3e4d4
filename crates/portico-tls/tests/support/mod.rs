//! Test helpers: CAs and certificates generated with rcgen, a TLS echo server on
//! `127.0.0.1:0` behind `TlsAcceptor`, and rustls clients.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)] // helpers panic on the unexpected

use std::{io, net::SocketAddr, sync::Arc, time::Duration};

use portico_tls::{
    CertStore, Certificate, SnapshotError, TlsAcceptor, TlsInfo, TlsOptions, TlsRegistry,
    TlsSnapshot,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::{
    ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{WebPkiSupportedAlgorithms, ring},
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::mpsc,
};
use tokio_rustls::{TlsConnector, client::TlsStream};

/// A certificate authority.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its key, as PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: CertificateDer<'static>,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::CrlSign,
        ];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A server certificate (ECDSA P-256) for `names`.
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with_key(names, KeyPair::generate().unwrap())
    }

    pub fn leaf_with_key(&self, names: &[&str], key: KeyPair) -> Leaf {
        let params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().clone(),
        }
    }

    /// A client certificate.
    pub fn client(&self, cn: &str) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().clone(),
        }
    }
}

impl Leaf {
    pub fn certificate(&self) -> Certificate {
        Certificate::from_pem(&self.cert_pem, &self.key_pem).unwrap()
    }

    fn key_der(&self) -> PrivateKeyDer<'static> {
        use rustls_pki_types::pem::PemObject;
        PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).unwrap()
    }
}

pub fn store(certs: &[&Leaf], default: Option<&Leaf>) -> CertStore {
    let mut builder = CertStore::builder();
    for cert in certs {
        builder.add(cert.certificate());
    }
    if let Some(d) = default {
        builder.default_certificate(d.certificate());
    }
    builder.build()
}

/// A snapshot with the given store and one `default` options set.
pub fn snapshot(registry: &TlsRegistry, store: CertStore, default: TlsOptions) -> TlsSnapshot {
    let mut builder = registry.builder();
    builder.certificates(store).options("default", default);
    let (snapshot, errors) = builder.build();
    // Warnings (options served differently than written) are fine here.
    let errors: Vec<_> = errors
        .into_iter()
        .filter(|e| !matches!(e, SnapshotError::Warning { .. }))
        .collect();
    assert_no_errors(&errors);
    snapshot
}

pub fn assert_no_errors(errors: &[SnapshotError]) {
    assert!(errors.is_empty(), "{errors:?}");
}

/// A TLS echo server: each handshake's outcome is sent on `results`.
pub struct Server {
    pub addr: SocketAddr,
    pub registry: Arc<TlsRegistry>,
    results: mpsc::UnboundedReceiver<Result<TlsInfo, io::Error>>,
}

pub async fn serve(registry: Arc<TlsRegistry>) -> Server {
    serve_acceptor(TlsAcceptor::new(registry)).await
}

pub async fn serve_acceptor(acceptor: TlsAcceptor) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, results) = mpsc::unbounded_channel();
    let registry = acceptor.registry().clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match acceptor.handshake(tcp).await {
                    Ok((mut tls, info)) => {
                        let _ = tx.send(Ok(info));
                        let mut buf = [0u8; 1024];
                        loop {
                            match tls.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => {
                                    if tls.write_all(&buf[..n]).await.is_err() {
                                        return;
                                    }
                                    let _ = tls.flush().await;
                                }
                            }
                        }
                    }
                    Err(error) => {
                        let _ = tx.send(Err(error));
                    }
                }
            });
        }
    });
    Server {
        addr,
        registry,
        results,
    }
}

impl Server {
    /// The next handshake's outcome on the server side.
    pub async fn outcome(&mut self) -> Result<TlsInfo, io::Error> {
        tokio::time::timeout(Duration::from_secs(10), self.results.recv())
            .await
            .expect("a handshake outcome")
            .expect("server running")
    }

    /// Connects, handshakes and echoes one message; the client stream and the
    /// server's view, or the first error (client side first).
    pub async fn attempt(
        &mut self,
        config: Arc<ClientConfig>,
        sni: &str,
    ) -> (io::Result<TlsStream<TcpStream>>, Result<TlsInfo, io::Error>) {
        let client = connect(self.addr, config, sni).await;
        let client = match client {
            Ok(mut stream) => roundtrip(&mut stream).await.map(|()| stream),
            Err(e) => Err(e),
        };
        (client, self.outcome().await)
    }
}

/// The name of the server verification and SNI (`enable_sni` decides whether SNI
/// is sent).
pub async fn connect(
    addr: SocketAddr,
    config: Arc<ClientConfig>,
    name: &str,
) -> io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(name.to_owned()).unwrap();
    TlsConnector::from(config).connect(name, tcp).await
}

/// Writes `ping` and reads it back (TLS 1.3 client-certificate refusals only show
/// here).
pub async fn roundtrip<S>(stream: &mut S) -> io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    stream.write_all(b"ping").await?;
    stream.flush().await?;
    let mut buf = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut buf))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    assert_eq!(&buf, b"ping");
    Ok(())
}

/// Client settings.
#[derive(Clone, Default)]
pub struct ClientSpec<'a> {
    /// Trusted roots; empty: accept any server certificate (signatures still checked).
    pub roots: Vec<CertificateDer<'static>>,
    pub client_cert: Option<&'a Leaf>,
    /// Presents this certificate while signing with another key (a client that
    /// does not hold the certificate's key).
    pub forged_client_cert: Option<(&'a Leaf, &'a Leaf)>,
    pub tls12_only: bool,
    pub tls13_only: bool,
    pub alpn: Vec<&'static str>,
    pub no_sni: bool,
    pub suites: Option<Vec<rustls::SupportedCipherSuite>>,
}

impl ClientSpec<'_> {
    pub fn build(&self) -> Arc<ClientConfig> {
        let mut provider = ring::default_provider();
        if let Some(suites) = &self.suites {
            provider.cipher_suites = suites.clone();
        }
        let versions: &[&rustls::SupportedProtocolVersion] = if self.tls12_only {
            &[&rustls::version::TLS12]
        } else if self.tls13_only {
            &[&rustls::version::TLS13]
        } else {
            &[&rustls::version::TLS13, &rustls::version::TLS12]
        };
        let builder = ClientConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(versions)
            .unwrap();
        let builder = if self.roots.is_empty() {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyServerCert(
                    ring::default_provider().signature_verification_algorithms,
                )))
        } else {
            let mut roots = RootCertStore::empty();
            for root in &self.roots {
                roots.add(root.clone()).unwrap();
            }
            builder.with_root_certificates(roots)
        };
        let mut config = match (self.client_cert, self.forged_client_cert) {
            (Some(leaf), _) => builder
                .with_client_auth_cert(vec![leaf.der.clone()], leaf.key_der())
                .unwrap(),
            (None, Some((cert, key))) => {
                let signer = ring::sign::any_supported_type(&key.key_der()).unwrap();
                let forged = rustls::sign::CertifiedKey::new(vec![cert.der.clone()], signer);
                builder.with_client_cert_resolver(Arc::new(Forged(Arc::new(forged))))
            }
            (None, None) => builder.with_no_client_auth(),
        };
        config.alpn_protocols = self.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        config.enable_sni = !self.no_sni;
        Arc::new(config)
    }
}

pub fn trusting(ca: &Ca) -> ClientSpec<'static> {
    ClientSpec {
        roots: vec![ca.der()],
        ..ClientSpec::default()
    }
}

/// The certificate the server presented.
pub fn served(stream: &TlsStream<TcpStream>) -> CertificateDer<'static> {
    stream.get_ref().1.peer_certificates().unwrap()[0]
        .clone()
        .into_owned()
}

/// Always presents one (possibly mismatched) certificate and key.
#[derive(Debug)]
struct Forged(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for Forged {
    fn resolve(
        &self,
        _: &[&[u8]],
        _: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// Accepts any server certificate; still checks handshake signatures.
#[derive(Debug)]
struct AnyServerCert(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyServerCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
