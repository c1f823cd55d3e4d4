//! Let's Encrypt's test CA `pebble` and its DNS/management companion
//! `pebble-challtestsrv` (Debian package `pebble`), one pair per test.
//!
//! Pebble validates challenges by connecting to `127.0.0.1:<httpPort>` (HTTP-01) and
//! `127.0.0.1:<tlsPort>` (TLS-ALPN-01); challtestsrv is its DNS server, answering
//! every name with 127.0.0.1 and serving the TXT records set through its management
//! API (DNS-01). Pebble's HTTPS certificate is signed by a CA generated here
//! ([`Pebble::https_ca`], what `caCertificates` should name); the root of the
//! certificates it issues is regenerated at every start ([`Pebble::root`]).
//!
//! # Ports
//!
//! The challenge ports belong to the server under test, which binds them; pebble
//! only connects to them. Pebble's own ports and challtestsrv's are picked with
//! [`free_tcp_port`] / [`free_udp_port`] (bind `127.0.0.1:0`, read the port, close)
//! just before the child starts. Another process may take one in that window: the
//! child then exits or never answers, and [`Pebble::start`] tries again with fresh
//! ports (3 attempts).
//!
//! # Example
//!
//! ```no_run
//! use portico_test_support::pebble::{Pebble, PebbleOptions, free_tcp_port};
//!
//! # async fn run() {
//! let http_port = free_tcp_port(); // then bind it in the server under test
//! let pebble = Pebble::start(PebbleOptions { http_port, ..Default::default() }).await;
//! let root = pebble.root().await; // what issued certificates chain up to
//! # let _ = root;
//! # }
//! ```

use std::{
    net::{SocketAddr, TcpListener, UdpSocket},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::rt::TokioIo;
use portico_config::model::{AcmeResolverSpec, KeyType};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, ServerName, pem::PemObject};
use tokio::net::TcpStream;

/// Pebble's default `certificateValidityPeriod`: 5 years.
const DEFAULT_VALIDITY_SECS: u64 = 157_766_400;

/// A running pebble + challtestsrv pair. Both are killed (by their own PID) on drop.
#[derive(Debug)]
pub struct Pebble {
    /// A temporary directory holding pebble's configuration, HTTPS certificate and
    /// logs (`pebble.log`, `challtestsrv.log`); tests may put their files here too.
    pub dir: tempfile::TempDir,
    /// The ACME directory, `https://127.0.0.1:<port>/dir` (`caServer`).
    pub directory_url: String,
    /// The CA that signed pebble's HTTPS certificate, PEM file (`caCertificates`).
    pub https_ca: PathBuf,
    /// Pebble's management API (`/roots/0`, ...), HTTPS.
    pub management_url: String,
    /// challtestsrv's management API (`/set-txt`, `/clear-txt`), plain HTTP.
    pub challtestsrv_url: String,
    /// challtestsrv's DNS server (UDP), pebble's resolver: every name is 127.0.0.1.
    pub dns: SocketAddr,
    /// The port pebble validates HTTP-01 challenges on.
    pub http_port: u16,
    /// The port pebble validates TLS-ALPN-01 challenges on.
    pub tls_port: u16,
    children: Vec<Child>,
}

/// What a test needs from pebble.
#[derive(Clone, Debug, Default)]
pub struct PebbleOptions {
    /// Port of the server answering HTTP-01 (pebble's `httpPort`).
    pub http_port: u16,
    /// Port of the server answering TLS-ALPN-01 (pebble's `tlsPort`).
    pub tls_port: u16,
    /// `certificateValidityPeriod` in seconds (pebble's default is 5 years).
    pub validity_secs: Option<u64>,
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then
/// closed). Nothing keeps it free: the caller must bind it soon and retry with
/// another one if binding fails.
pub fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// A UDP port on 127.0.0.1 that was free a moment ago (see [`free_tcp_port`]).
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("bind udp 127.0.0.1:0")
}

fn spawn(program: &str, args: &[String], envs: &[(&str, &str)], log: &Path) -> Child {
    let out = std::fs::File::create(log).expect("log file");
    let err = out.try_clone().expect("log file");
    Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {program} ({e}): the ACME tests need Let's Encrypt's test CA; \
                 install it with `apt-get install pebble` (tests/run.sh does)"
            )
        })
}

/// Writes a CA and a server certificate for 127.0.0.1/localhost signed by it;
/// returns (CA, certificate, key) paths.
fn https_certificate(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "portico test pebble CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("self-signed CA");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("key");
    let params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("params");
    let cert = params.signed_by(&key, &issuer).expect("signed");
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).expect("write CA");
    std::fs::write(&paths.1, cert.pem()).expect("write certificate");
    std::fs::write(&paths.2, key.serialize_pem()).expect("write key");
    paths
}

// === impl Pebble ===

impl Pebble {
    /// Starts pebble and challtestsrv and waits (10 s at most per attempt) until
    /// pebble's directory answers and challtestsrv's management port accepts.
    pub async fn start(opts: PebbleOptions) -> Pebble {
        let mut last = String::new();
        for _ in 0..3 {
            match Self::try_start(&opts).await {
                Ok(p) => return p,
                Err(e) => last = e,
            }
        }
        panic!("pebble did not start: {last}");
    }

    async fn try_start(opts: &PebbleOptions) -> Result<Pebble, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (https_ca, cert, key) = https_certificate(dir.path());
        let listen = free_tcp_port();
        let management = free_tcp_port();
        let chall_mgmt = free_tcp_port();
        let dns_port = free_udp_port();
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": format!("127.0.0.1:{listen}"),
                "managementListenAddress": format!("127.0.0.1:{management}"),
                "certificate": cert,
                "privateKey": key,
                "httpPort": opts.http_port,
                "tlsPort": opts.tls_port,
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false,
                "certificateValidityPeriod": opts.validity_secs.unwrap_or(DEFAULT_VALIDITY_SECS),
            }
        });
        let config_path = dir.path().join("pebble.json");
        std::fs::write(&config_path, config.to_string()).map_err(|e| e.to_string())?;

        let challtestsrv = spawn(
            "pebble-challtestsrv",
            &[
                "-management".into(),
                format!("127.0.0.1:{chall_mgmt}"),
                "-dns01".into(),
                format!("127.0.0.1:{dns_port}"),
                "-http01".into(),
                String::new(),
                "-https01".into(),
                String::new(),
                "-tlsalpn01".into(),
                String::new(),
                "-defaultIPv4".into(),
                "127.0.0.1".into(),
                "-defaultIPv6".into(),
                String::new(),
            ],
            &[],
            &dir.path().join("challtestsrv.log"),
        );
        let pebble = spawn(
            "pebble",
            &[
                "-config".into(),
                config_path.display().to_string(),
                "-dnsserver".into(),
                format!("127.0.0.1:{dns_port}"),
            ],
            &[
                // Validate at once, accept every nonce, never reuse an authorization
                // (each order really validates its challenges).
                ("PEBBLE_VA_NOSLEEP", "1"),
                ("PEBBLE_WFE_NONCEREJECT", "0"),
                ("PEBBLE_AUTHZREUSE", "0"),
            ],
            &dir.path().join("pebble.log"),
        );
        let mut out = Pebble {
            directory_url: format!("https://127.0.0.1:{listen}/dir"),
            https_ca,
            management_url: format!("https://127.0.0.1:{management}"),
            challtestsrv_url: format!("http://127.0.0.1:{chall_mgmt}"),
            dns: SocketAddr::from(([127, 0, 0, 1], dns_port)),
            http_port: opts.http_port,
            tls_port: opts.tls_port,
            children: vec![challtestsrv, pebble],
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let directory = out.directory_url.clone();
            let pebble_up = matches!(out.get(&directory).await, Ok((200, _)));
            let chall_up = TcpStream::connect(("127.0.0.1", chall_mgmt)).await.is_ok();
            if pebble_up && chall_up {
                return Ok(out);
            }
            let exited = out
                .children
                .iter_mut()
                .any(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited || Instant::now() > deadline {
                return Err(format!(
                    "not ready (exited: {exited}); pebble log:\n{}",
                    out.log()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Pebble's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pebble.log")).unwrap_or_default()
    }

    /// `GET url` over HTTPS (HTTP/1.1), trusting only pebble's HTTPS CA: (status,
    /// body).
    pub async fn get(&self, url: &str) -> Result<(u16, String), String> {
        let uri: http::Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| e.to_string())?;
        let host = uri.host().ok_or("no host")?.to_owned();
        let port = uri.port_u16().unwrap_or(443);
        let mut roots = RootCertStore::empty();
        let ca = CertificateDer::from_pem_file(&self.https_ca).map_err(|e| e.to_string())?;
        roots.add(ca).map_err(|e| e.to_string())?;
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| e.to_string())?;
        let name = ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let request = Request::get(path)
            .header("host", format!("{host}:{port}"))
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    /// The root certificate of what pebble issues (`/roots/0` of its management
    /// API), PEM. Regenerated at every start.
    pub async fn root_pem(&self) -> String {
        let (status, pem) = self
            .get(&format!("{}/roots/0", self.management_url))
            .await
            .expect("pebble management API");
        assert_eq!(status, 200, "{pem}");
        pem
    }

    /// [`Pebble::root_pem`], DER.
    pub async fn root(&self) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(self.root_pem().await.as_bytes()).expect("root PEM")
    }

    /// POSTs JSON to challtestsrv's management API (`/set-txt`, `/clear-txt`, ...);
    /// panics unless it answers 200.
    pub async fn challtestsrv(&self, path: &str, body: serde_json::Value) {
        let addr = self
            .challtestsrv_url
            .trim_start_matches("http://")
            .to_owned();
        let tcp = TcpStream::connect(addr.as_str())
            .await
            .expect("connect challtestsrv");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let request = Request::post(path)
            .header("host", addr)
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("request");
        let response = sender.send_request(request).await.expect("response");
        assert_eq!(response.status(), 200, "challtestsrv {path}");
    }

    /// A resolver `name` on this pebble: EC256 keys, pebble's HTTPS CA trusted,
    /// storing in `storage`, 20 s timeouts; no challenge chosen yet.
    pub fn spec(&self, name: &str, storage: &Path) -> AcmeResolverSpec {
        let mut spec = AcmeResolverSpec::new(name);
        spec.email = Some("ops@example.test".into());
        spec.ca_server = self.directory_url.clone();
        spec.ca_certificates = vec![self.https_ca.clone()];
        spec.storage = storage.to_path_buf();
        spec.key_type = KeyType::Ec256;
        spec.client_timeout = Duration::from_secs(20);
        spec.certificate_timeout = Duration::from_secs(20);
        spec
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for child in &mut self.children {
            // Child::kill sends SIGKILL to this child's PID only.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The serial number of a DER certificate, lower-case hex without separators (as
/// `portico_acme::IssuedCertificate::serial` has it).
pub fn serial(der: &CertificateDer<'_>) -> String {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).expect("X.509 certificate");
    cert.raw_serial_as_string().replace(':', "")
}
