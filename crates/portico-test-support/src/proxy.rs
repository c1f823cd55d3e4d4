//! Portico in-process, configured from YAML strings.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf};

use portico::{App, BoundApp, load_routing, router::RuntimeStatus};
use portico_config::{Format, parse_install, validate};

/// Builds a [`Proxy`].
#[derive(Debug, Default)]
pub struct ProxyBuilder {
    install: Option<String>,
    files: Vec<(String, String)>,
}

/// A running Portico whose routing files live in a temporary directory.
#[derive(Debug)]
pub struct Proxy {
    app: Option<App>,
    dir: tempfile::TempDir,
}

/// Starts building a proxy. Without [`ProxyBuilder::install`], it has one
/// entrypoint `web` on `127.0.0.1:0`.
pub fn builder() -> ProxyBuilder {
    ProxyBuilder::default()
}

impl ProxyBuilder {
    /// The install configuration (YAML). `providers.file.directory` is set by the
    /// builder; entrypoints should listen on `127.0.0.1:0`.
    pub fn install(mut self, yaml: &str) -> Self {
        self.install = Some(yaml.to_owned());
        self
    }

    /// A routing file written into the provider directory before start.
    pub fn routing(mut self, file_name: &str, yaml: &str) -> Self {
        self.files.push((file_name.to_owned(), yaml.to_owned()));
        self
    }

    /// Binds, serves and applies the routing files.
    pub async fn start(self) -> Proxy {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in &self.files {
            std::fs::write(dir.path().join(name), text).expect("write routing file");
        }
        let install = self
            .install
            .unwrap_or_else(|| "entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n".to_owned());
        let mut raw =
            parse_install(&install, Format::Yaml, "test install").expect("install parses");
        let providers = raw.providers.get_or_insert_with(Default::default);
        let file = providers.file.get_or_insert_with(Default::default);
        if file.filename.is_none() {
            file.directory = Some(dir.path().display().to_string());
        }
        file.watch.get_or_insert(false);
        let model = validate::install(&raw).expect("install is valid");
        let bound = BoundApp::bind(model.clone()).expect("bind");
        let (routing, _) = load_routing(&model).expect("routing loads");
        bound.apply(&routing);
        let app = bound.serve();
        Proxy {
            app: Some(app),
            dir,
        }
    }
}

impl Proxy {
    fn app(&self) -> &App {
        self.app.as_ref().expect("proxy is running")
    }

    /// The address of entrypoint `name`.
    pub fn addr(&self, entrypoint: &str) -> SocketAddr {
        self.app().address(entrypoint).expect("entrypoint exists")
    }

    /// Every entrypoint's address.
    pub fn addresses(&self) -> BTreeMap<String, SocketAddr> {
        self.app().addresses()
    }

    /// The routing directory.
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// The status of the last applied configuration.
    pub fn status(&self) -> RuntimeStatus {
        self.app().status()
    }

    /// Drains every entrypoint.
    pub async fn shutdown(mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
    }
}
