//! What a TLS handshake established, for the layers after it.

use std::sync::Arc;

/// The negotiated parameters of a TLS connection, inserted into the extensions of
/// every request that arrived over it (as `Arc<TlsInfo>`).
///
/// Routing, `X-Forwarded-Proto: https`, the `passTLSClientCert` middleware and
/// access logs read it from there.
///
/// # Example
///
/// ```
/// use portico_core::TlsInfo;
/// use std::sync::Arc;
///
/// let info = TlsInfo {
///     sni: Some("app.example.com".into()),
///     alpn: Some(b"h2".to_vec()),
///     version: "TLSv1_3",
///     cipher_suite: "TLS13_AES_128_GCM_SHA256",
///     peer_certificates: Vec::new(),
///     options: Arc::from("default"),
/// };
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(Arc::new(info));
/// let sni = request.extensions().get::<Arc<TlsInfo>>().and_then(|t| t.sni.clone());
/// assert_eq!(sni.as_deref(), Some("app.example.com"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsInfo {
    /// The server name the client asked for, lower-cased.
    pub sni: Option<String>,
    /// The negotiated application protocol (`h2`, `http/1.1`).
    pub alpn: Option<Vec<u8>>,
    /// The protocol version, as rustls names it (`TLSv1_2`, `TLSv1_3`).
    pub version: &'static str,
    /// The cipher suite, as rustls names it.
    pub cipher_suite: &'static str,
    /// The client's certificate chain, leaf first, DER-encoded (empty without one).
    pub peer_certificates: Vec<Vec<u8>>,
    /// The name of the TLS options the handshake was made with.
    pub options: Arc<str>,
}
