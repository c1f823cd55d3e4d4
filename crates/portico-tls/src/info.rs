//! The TLS facts of a connection, and the layer that puts them into every request's
//! extensions.

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use http::Request;
use portico_core::TlsInfo;
use tower::{Layer, Service};

/// Wraps a service in a [`TlsInfoService`] carrying one connection's [`TlsInfo`]
/// (`portico_core::TlsInfo`, re-exported here).
///
/// [`TlsAcceptor`](crate::TlsAcceptor) wraps each connection's service in a
/// [`TlsInfoService`], which inserts the connection's `Arc<TlsInfo>` into every
/// request (one reference-count increment per request). Readers look it up by type:
///
/// - **routing** (`HostSNI`-style decisions, the `421` check with
///   [`misdirected`](crate::misdirected)): `info.sni`;
/// - **forwarded headers**: the presence of a `TlsInfo` means the request came over
///   TLS, so `X-Forwarded-Proto: https` (`wss` for WebSocket upgrades) and port 443
///   by default;
/// - **`passTLSClientCert`**: `info.peer_certificates` (leaf first, as the client
///   sent them; verified against the CAs only for the verifying client auth
///   types);
/// - **access logs**: [`version_name`](crate::version_name) and
///   [`cipher_suite_name`](crate::cipher_suite_name) (Traefik's `TLSVersion`,
///   `TLSCipher`), `info.options`.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use portico_tls::{TlsInfo, TlsInfoLayer};
/// use tower::{Layer, Service, ServiceExt, service_fn};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let info = Arc::new(TlsInfo {
///     sni: Some("a.example.com".into()),
///     alpn: Some(b"h2".to_vec()),
///     version: "TLSv1_3",
///     cipher_suite: "TLS13_AES_128_GCM_SHA256",
///     peer_certificates: Vec::new(),
///     options: "default".into(),
/// });
/// let service = TlsInfoLayer::new(info).layer(service_fn(|req: http::Request<()>| async move {
///     let info = req.extensions().get::<Arc<TlsInfo>>().cloned();
///     Ok::<_, std::convert::Infallible>(info.and_then(|i| i.sni.clone()))
/// }));
/// let sni = service.oneshot(http::Request::new(())).await.unwrap();
/// assert_eq!(sni.as_deref(), Some("a.example.com"));
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TlsInfoLayer {
    info: Arc<TlsInfo>,
}

/// Inserts the connection's `Arc<TlsInfo>` into every request's extensions, then
/// calls the inner service. See [`TlsInfoLayer`] for an example.
#[derive(Clone, Debug)]
pub struct TlsInfoService<S> {
    inner: S,
    info: Arc<TlsInfo>,
}

/// The TLS version as Traefik's access log writes it (`TLSVersion`: `1.2`, `1.3`).
///
/// ```
/// # let info = portico_tls::TlsInfo { sni: None, alpn: None, version: "TLSv1_2",
/// #     cipher_suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", peer_certificates: Vec::new(),
/// #     options: "default".into() };
/// assert_eq!(portico_tls::version_name(&info), "1.2");
/// assert_eq!(portico_tls::cipher_suite_name(&info), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
/// ```
pub fn version_name(info: &TlsInfo) -> &'static str {
    match info.version {
        "TLSv1_3" => "1.3",
        "TLSv1_2" => "1.2",
        "TLSv1_1" => "1.1",
        "TLSv1_0" => "1.0",
        _ => "unknown",
    }
}

/// The cipher suite under Go's name, as Traefik's access log writes it
/// (`TLSCipher`: `TLS_AES_128_GCM_SHA256`, `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
pub fn cipher_suite_name(info: &TlsInfo) -> &'static str {
    crate::names::go_suite_name(info.cipher_suite)
}

// === impl TlsInfoLayer ===

impl TlsInfoLayer {
    /// A layer for one connection.
    pub fn new(info: Arc<TlsInfo>) -> Self {
        TlsInfoLayer { info }
    }
}

impl<S> Layer<S> for TlsInfoLayer {
    type Service = TlsInfoService<S>;

    fn layer(&self, inner: S) -> TlsInfoService<S> {
        TlsInfoService::new(inner, self.info.clone())
    }
}

// === impl TlsInfoService ===

impl<S> TlsInfoService<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, info: Arc<TlsInfo>) -> Self {
        TlsInfoService { inner, info }
    }

    /// A [`TlsInfoLayer`].
    pub fn layer(info: Arc<TlsInfo>) -> TlsInfoLayer {
        TlsInfoLayer::new(info)
    }

    /// The connection's TLS facts.
    pub fn info(&self) -> &Arc<TlsInfo> {
        &self.info
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for TlsInfoService<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> S::Future {
        request.extensions_mut().insert(self.info.clone());
        self.inner.call(request)
    }
}
