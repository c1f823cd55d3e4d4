//! Portico in-process, configured from YAML strings.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

use portico::{App, AppHandle, BoundApp, ReloadReport, StartError, router::RuntimeStatus};
use portico_config::{Format, model::InstallModel, parse_install, validate};

/// Builds a [`Proxy`].
#[derive(Debug, Default)]
pub struct ProxyBuilder {
    install: Option<String>,
    files: Vec<(String, String)>,
    watch: Option<Duration>,
}

/// A running Portico whose routing files live in a temporary directory.
#[derive(Debug)]
pub struct Proxy {
    app: Option<App>,
    dir: tempfile::TempDir,
    watch: Option<Duration>,
}

/// Starts building a proxy. Without [`ProxyBuilder::install`], it has one
/// entrypoint `web` on `127.0.0.1:0`.
pub fn builder() -> ProxyBuilder {
    ProxyBuilder::default()
}

/// The default install configuration: one entrypoint `web` on `127.0.0.1:0`.
const DEFAULT_INSTALL: &str = "entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n";

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

    /// Watch the routing directory, with this `providersThrottleDuration`.
    pub fn watch(mut self, throttle: Duration) -> Self {
        self.watch = Some(throttle);
        self
    }

    /// Binds, serves and applies the routing files.
    pub async fn start(self) -> Proxy {
        self.try_start().await.expect("bind")
    }

    /// [`ProxyBuilder::start`], returning the error when an entrypoint cannot be
    /// bound (for tests that must listen on given ports, and pick other ones when
    /// a port was taken in the meantime).
    pub async fn try_start(self) -> Result<Proxy, StartError> {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in &self.files {
            std::fs::write(dir.path().join(name), text).expect("write routing file");
        }
        let install = self.install.as_deref().unwrap_or(DEFAULT_INSTALL);
        let model = install_model(install, dir.path(), self.watch);
        let app = BoundApp::bind(model)?.start().await;
        Ok(Proxy {
            app: Some(app),
            dir,
            watch: self.watch,
        })
    }
}

/// Parses install YAML and points its file provider at `dir` (unless it names its
/// own file), watched with `watch` as throttle, or not watched.
fn install_model(yaml: &str, dir: &std::path::Path, watch: Option<Duration>) -> InstallModel {
    let mut raw = parse_install(yaml, Format::Yaml, "test install").expect("install parses");
    let providers = raw.providers.get_or_insert_with(Default::default);
    let file = providers.file.get_or_insert_with(Default::default);
    if file.filename.is_none() {
        file.directory = Some(dir.display().to_string());
    }
    file.watch.get_or_insert(watch.is_some());
    if let Some(throttle) = watch {
        providers.providers_throttle_duration.get_or_insert(
            portico_config::raw::Duration::parse(&format!("{}ms", throttle.as_millis()))
                .expect("duration"),
        );
    }
    validate::install(&raw).expect("install is valid")
}

impl Proxy {
    fn app(&self) -> &App {
        self.app.as_ref().expect("proxy is running")
    }

    /// A handle on the running proxy.
    pub fn handle(&self) -> AppHandle {
        self.app().handle()
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

    /// Writes a routing file atomically (temporary file, then rename), as editors and
    /// deployment tools do.
    pub fn write_routing(&self, file_name: &str, yaml: &str) {
        let tmp = self.dir.path().join(format!(".{file_name}.tmp"));
        std::fs::write(&tmp, yaml).expect("write routing file");
        std::fs::rename(&tmp, self.dir.path().join(file_name)).expect("rename routing file");
    }

    /// Reads the routing directory again now (for proxies that do not watch it).
    pub async fn reload_routing(&self) -> RuntimeStatus {
        self.handle().reload_providers().await
    }

    /// The status of the last applied configuration.
    pub fn status(&self) -> RuntimeStatus {
        self.app().status()
    }

    /// Applies a new install configuration (what SIGHUP does); the file provider
    /// keeps pointing at the routing directory.
    pub async fn reload_install(&self, yaml: &str) -> ReloadReport {
        let model = install_model(yaml, self.dir.path(), self.watch);
        self.handle().reload_install(model).await
    }

    /// Drains every entrypoint.
    pub async fn shutdown(mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
    }
}
