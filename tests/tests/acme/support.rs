//! Shared setup: pebble, a proxy whose entrypoints listen on pebble's challenge
//! ports, a whoami backend, HTTPS clients that trust only pebble's root, and the
//! proxy's logs.
//!
//! Ports: pebble validates HTTP-01 on `127.0.0.1:<httpPort>` and TLS-ALPN-01 on
//! `127.0.0.1:<tlsPort>`, fixed in its configuration before it starts, so the proxy
//! must listen on ports chosen in advance: `web` on `httpPort`, `websecure` on
//! `tlsPort`. They are picked by binding `127.0.0.1:0` and closing the socket
//! ([`free_tcp_port`]); another process can take one before the proxy binds it.
//! The proxy then fails to start with a bind error, and [`Stack::start`] starts
//! over with new ports and a new pebble (3 attempts).

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use portico_test_support::{
    pebble::{Pebble, PebbleOptions, free_tcp_port, serial},
    proxy::{self, Proxy},
    tls::{ClientOptions, client_config, connect, served},
    upstream::{self, Upstream},
};
use rustls::ClientConfig;
use tokio::time::Instant;

/// How long a certificate may take to be obtained and served.
pub(crate) const READY: Duration = Duration::from_secs(30);

/// The longest a whole test may take (the renewal tests wait for a 60 s check).
pub(crate) const LIMIT: Duration = Duration::from_secs(150);

/// The backend's name, in every answer it gives (`X-Whoami-Name`).
pub(crate) const BACKEND: &str = "acme-backend";

/// pebble, the proxy and its backend, and the files they share.
pub(crate) struct Stack {
    pub(crate) pebble: Pebble,
    pub(crate) proxy: Proxy,
    /// Kept alive for the proxy to reach.
    pub(crate) _backend: Upstream,
    /// The `storage` file of every resolver (`acme.json`).
    pub(crate) storage: PathBuf,
    /// pebble's root, PEM: what served certificates must chain up to.
    pub(crate) root_pem: String,
    install: String,
    routing: String,
    /// Holds `storage`.
    _dir: tempfile::TempDir,
}

/// What a [`Stack`] is made of.
pub(crate) struct StackOptions<R, T> {
    /// The `certificatesResolvers` section (YAML, starting at column 2), given
    /// pebble and the storage file; see [`resolver`].
    pub(crate) resolvers: R,
    /// The routing file, given the backend's URL; see [`routing`].
    pub(crate) routing: T,
    /// pebble's `certificateValidityPeriod`, seconds.
    pub(crate) validity_secs: Option<u64>,
    /// `allowACMEByPass` on `web`.
    pub(crate) allow_acme_bypass: bool,
}

// === impl Stack ===

impl Stack {
    /// Starts pebble, then the proxy on pebble's challenge ports (see the module
    /// docs for the port race and the retries).
    pub(crate) async fn start<R, T>(options: StackOptions<R, T>) -> Stack
    where
        R: Fn(&Pebble, &Path) -> String,
        T: Fn(&str) -> String,
    {
        let dir = tempfile::tempdir().unwrap();
        let storage = dir.path().join("acme.json");
        let backend = upstream::whoami(BACKEND).await;
        let routing = (options.routing)(&backend.url());
        let mut failures = Vec::new();
        for _ in 0..3 {
            let (web, websecure) = (free_tcp_port(), free_tcp_port());
            let pebble = Pebble::start(PebbleOptions {
                http_port: web,
                tls_port: websecure,
                validity_secs: options.validity_secs,
            })
            .await;
            let install = format!(
                "entryPoints:\n  web:\n    address: \"127.0.0.1:{web}\"\n    allowACMEByPass: {}\n  websecure:\n    address: \"127.0.0.1:{websecure}\"\ncertificatesResolvers:\n{}",
                options.allow_acme_bypass,
                (options.resolvers)(&pebble, &storage)
            );
            match start_proxy(&install, &routing).await {
                Ok(proxy) => {
                    let root_pem = pebble.root_pem().await;
                    return Stack {
                        pebble,
                        proxy,
                        _backend: backend,
                        storage,
                        root_pem,
                        install,
                        routing,
                        _dir: dir,
                    };
                }
                // Another process took a port between the probe and the bind.
                Err(e) => failures.push(e),
            }
        }
        panic!("the proxy could not bind pebble's challenge ports: {failures:?}");
    }

    /// Stops the proxy (draining it), then starts a new one with the same
    /// configuration and storage, on the same ports (the old proxy released them).
    pub(crate) async fn restart(self) -> Stack {
        let Stack {
            pebble,
            proxy,
            _backend: backend,
            storage,
            root_pem,
            install,
            routing,
            _dir,
        } = self;
        proxy.shutdown().await;
        let proxy = start_proxy(&install, &routing)
            .await
            .expect("the new proxy binds the ports the old one released");
        Stack {
            pebble,
            proxy,
            _backend: backend,
            storage,
            root_pem,
            install,
            routing,
            _dir,
        }
    }

    /// The `websecure` entrypoint.
    pub(crate) fn websecure(&self) -> SocketAddr {
        self.proxy.addr("websecure")
    }

    /// The `web` entrypoint.
    pub(crate) fn web(&self) -> SocketAddr {
        self.proxy.addr("web")
    }

    /// A TLS client trusting only pebble's root.
    pub(crate) fn client(&self) -> Arc<ClientConfig> {
        client_config(&ClientOptions {
            ca: Some(self.root_pem.clone()),
            ..ClientOptions::default()
        })
    }

    /// Waits until a handshake on `websecure` with SNI `sni` gets a certificate
    /// that verifies against pebble's root (the default certificate answers until
    /// then); returns its serial.
    pub(crate) async fn wait_for_certificate(&self, sni: &str) -> String {
        let deadline = Instant::now() + READY;
        let client = self.client();
        let mut last = String::new();
        while Instant::now() < deadline {
            match connect(self.websecure(), sni, client.clone()).await {
                Ok(stream) => return serial(&served(&stream)),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no certificate for {sni} verifying against pebble's root within {READY:?} (last: {last})\n\
             status: {:?}\nproxy log:\n{}\npebble log:\n{}",
            self.proxy.status().problems(),
            logs().text(),
            self.pebble.log()
        );
    }

    /// `GET /` on `websecure` over a new connection, SNI and `Host` `name`,
    /// verified against pebble's root: the served serial and the answer.
    pub(crate) async fn get(&self, name: &str) -> Result<(String, Answer), String> {
        https_get(self.websecure(), name, self.client()).await
    }
}

async fn start_proxy(install: &str, routing: &str) -> Result<Proxy, String> {
    proxy::builder()
        .install(install)
        .routing("acme.yaml", routing)
        .try_start()
        .await
        .map_err(|e| e.to_string())
}

/// One resolver on `pebble` storing in `storage`, EC256 keys, with `challenge`
/// (YAML lines indented by 6, such as `"      tlsChallenge: {}\n"`).
pub(crate) fn resolver(name: &str, pebble: &Pebble, storage: &Path, challenge: &str) -> String {
    format!(
        "  {name}:\n    acme:\n      email: ops@example.test\n      caServer: \"{}\"\n      caCertificates: [\"{}\"]\n      storage: \"{}\"\n      keyType: EC256\n      clientTimeout: 20s\n      certificateTimeout: 20s\n{challenge}",
        pebble.directory_url,
        pebble.https_ca.display(),
        storage.display()
    )
}

/// `httpChallenge` on `web`.
pub(crate) const HTTP_CHALLENGE: &str = "      httpChallenge:\n        entryPoint: web\n";

/// A routing file: `routers` (YAML lines indented by 4) in front of service
/// `backend` at `backend_url`.
pub(crate) fn routing(routers: &str, backend_url: &str) -> String {
    format!(
        "http:\n  routers:\n{routers}  services:\n    backend:\n      loadBalancer:\n        servers:\n          - url: \"{backend_url}\"\n"
    )
}

/// A router `name` on `websecure` for `Host(host)` with `tls` (flow YAML).
pub(crate) fn tls_router(name: &str, host: &str, tls: &str) -> String {
    format!(
        "    {name}:\n      rule: \"Host(`{host}`)\"\n      entryPoints: [websecure]\n      service: backend\n      tls: {tls}\n"
    )
}

/// What a request got back.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// `X-Whoami-Name`.
    pub(crate) backend: Option<String>,
}

/// `GET /` over a new TLS connection to `addr` (SNI and `Host` `name`): the served
/// serial and the answer, or what failed.
pub(crate) async fn https_get(
    addr: SocketAddr,
    name: &str,
    client: Arc<ClientConfig>,
) -> Result<(String, Answer), String> {
    let stream = connect(addr, name, client)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let serial = serial(&served(&stream));
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(conn);
    let request = Request::get("/")
        .header("host", name)
        .body(Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("request: {e}"))?;
    let status = response.status().as_u16();
    let backend = response
        .headers()
        .get("x-whoami-name")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?;
    Ok((serial, Answer { status, backend }))
}

/// What the traffic of [`traffic_until_renewed`] saw.
#[derive(Debug, Default)]
pub(crate) struct Traffic {
    /// Requests answered 200 by the backend.
    pub(crate) ok: usize,
    /// Every other outcome, one line each.
    pub(crate) failures: Vec<String>,
    /// The serials served, in order of first appearance, with their counts.
    pub(crate) serials: Vec<(String, usize)>,
    /// From the first request to the first one served the new certificate.
    pub(crate) until_renewed: Option<Duration>,
}

/// Sends requests one after the other (every 20 ms, each over a new TLS
/// connection verified against pebble's root) until the served serial is no longer
/// `old` and 20 more requests were served the new one, or `limit` passes.
pub(crate) async fn traffic_until_renewed(
    stack: &Stack,
    name: &str,
    old: &str,
    limit: Duration,
) -> Traffic {
    let mut traffic = Traffic::default();
    let started = Instant::now();
    let mut after_change = 0;
    let mut pace = tokio::time::interval(Duration::from_millis(20));
    pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while started.elapsed() < limit && after_change < 20 {
        pace.tick().await;
        match stack.get(name).await {
            Ok((serial, answer))
                if answer.status == 200 && answer.backend.as_deref() == Some(BACKEND) =>
            {
                traffic.ok += 1;
                if serial != old {
                    after_change += 1;
                    traffic.until_renewed.get_or_insert(started.elapsed());
                }
                match traffic.serials.iter_mut().find(|(s, _)| *s == serial) {
                    Some((_, n)) => *n += 1,
                    None => traffic.serials.push((serial, 1)),
                }
            }
            Ok((serial, answer)) => traffic
                .failures
                .push(format!("{answer:?} with certificate {serial}")),
            Err(e) => traffic.failures.push(e),
        }
    }
    traffic
}

/// The proxy's logs (every test in this process), captured from the first call on.
#[derive(Clone, Debug)]
pub(crate) struct Logs(Arc<Mutex<Vec<u8>>>);

/// Installs the capturing subscriber once per process (nextest runs each test in
/// its own process; under `cargo test` the tests of this binary share it, which
/// the assertions allow for by naming their own routers and domains).
pub(crate) fn logs() -> Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs(Arc::default());
        let sink = logs.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info,portico=debug"))
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .try_init();
        logs
    })
    .clone()
}

// === impl Logs ===

impl Logs {
    /// Everything logged so far.
    pub(crate) fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The log lines containing every one of `needles`.
    pub(crate) fn lines_with(&self, needles: &[&str]) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| needles.iter().all(|n| l.contains(n)))
            .map(str::to_owned)
            .collect()
    }

    /// Waits (polling, `READY` at most) until `count` lines contain every one of
    /// `needles`.
    pub(crate) async fn wait_for_count(&self, needles: &[&str], count: usize) {
        let deadline = Instant::now() + READY;
        while self.lines_with(needles).len() < count {
            assert!(
                Instant::now() < deadline,
                "fewer than {count} log lines with {needles:?} within {READY:?}; logs:\n{}",
                self.text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
