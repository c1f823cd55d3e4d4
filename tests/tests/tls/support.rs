//! Shared setup: a CA, certificate files in the routing directory, and a proxy with
//! a `websecure` entrypoint.

use portico_test_support::{
    proxy::{self, Proxy},
    tls::{Ca, ClientOptions},
    upstream::{self, Upstream},
};

/// A proxy with entrypoints `web` and `websecure` and a whoami backend.
pub(crate) struct Setup {
    pub(crate) ca: Ca,
    pub(crate) proxy: Proxy,
    /// Kept alive for the proxy to reach.
    pub(crate) _backend: Upstream,
}

/// The install configuration: `web` and `websecure` on `127.0.0.1:0`, plus `extra`
/// YAML for `websecure`.
pub(crate) fn install(websecure_extra: &str, web_extra: &str) -> String {
    format!(
        "entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n{web_extra}  websecure:\n    address: \"127.0.0.1:0\"\n{websecure_extra}"
    )
}

/// Starts a proxy whose routing directory holds `certs` (file stem, names) signed
/// by a new CA, and the routing file made by `routing(backend_url, dir)`.
pub(crate) async fn start(
    certs: &[(&str, &[&str])],
    install_yaml: &str,
    routing: impl Fn(&str, &str) -> String,
) -> Setup {
    let ca = Ca::new("portico test CA");
    let backend = upstream::whoami("secure-backend").await;
    let proxy = proxy::builder().install(install_yaml).start().await;
    let dir = proxy.dir();
    for (stem, names) in certs {
        ca.leaf(names).write(&dir, stem);
    }
    proxy.write_routing(
        "routing.yaml",
        &routing(&backend.url(), &dir.display().to_string()),
    );
    // Not watched: apply by reloading the install (same providers: re-read now).
    proxy.reload_routing().await;
    Setup {
        ca,
        proxy,
        _backend: backend,
    }
}

impl Setup {
    /// Client options trusting the CA, offering `alpn`.
    pub(crate) fn client(&self, alpn: &[&'static str]) -> ClientOptions {
        ClientOptions {
            ca: Some(self.ca.pem()),
            alpn: alpn.to_vec(),
            ..ClientOptions::default()
        }
    }
}

/// A `tls.certificates` entry for `<dir>/<stem>.crt` and `.key`.
pub(crate) fn cert_entry(dir: &str, stem: &str) -> String {
    format!("    - certFile: {dir}/{stem}.crt\n      keyFile: {dir}/{stem}.key\n")
}

pub(crate) use portico_test_support::tls::AcceptAny;
