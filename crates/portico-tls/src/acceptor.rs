//! The axum-server acceptor: reads the ClientHello, picks the options by SNI and
//! completes the handshake.

use std::{fmt, future::Future, io, pin::Pin, sync::Arc, time::Duration};

use axum_server::accept::{Accept, DefaultAcceptor};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::{LazyConfigAcceptor, server::TlsStream};

use crate::{ACME_TLS_ALPN, TlsInfo, TlsInfoService, TlsRegistry, normalize_name};

/// The default limit for reading the ClientHello and completing the handshake.
const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Terminates TLS on the streams of an inner acceptor.
///
/// For each connection: the inner acceptor runs first (socket options, I/O
/// wrappers); then the ClientHello is read, the current [`TlsSnapshot`] loaded, the
/// options chosen by SNI (no SNI: `default`), and the handshake completed with that
/// options' `ServerConfig`, all within the handshake timeout. The service is
/// wrapped in a [`TlsInfoService`] carrying the connection's [`TlsInfo`]. Anything
/// that is not a TLS handshake (plain HTTP on a TLS port) fails here and is never
/// served. Failures are logged at `DEBUG` and returned to axum-server, which closes
/// the connection.
///
/// # Example
///
/// ```no_run
/// use std::sync::Arc;
/// use portico_tls::{TlsAcceptor, TlsRegistry};
///
/// # async fn demo() -> std::io::Result<()> {
/// let registry = Arc::new(TlsRegistry::new());
/// // ... registry.publish(snapshot) ...
/// let listener = std::net::TcpListener::bind("127.0.0.1:8443")?;
/// let server = axum_server::from_tcp(listener)?
///     .acceptor(TlsAcceptor::new(registry) /* .acceptor(inner) */);
/// # let _ = server; Ok(()) }
/// ```
///
/// [`TlsSnapshot`]: crate::TlsSnapshot
#[derive(Clone)]
pub struct TlsAcceptor<A = DefaultAcceptor> {
    inner: A,
    registry: Arc<TlsRegistry>,
    handshake_timeout: Duration,
}

/// Why a handshake was not completed (the source of the `io::Error` the acceptor
/// returns; rustls' own errors come as `io::ErrorKind::InvalidData`).
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// The ClientHello and handshake took longer than the timeout.
    #[error("TLS handshake not completed within {timeout:?}")]
    Timeout {
        /// The limit.
        timeout: Duration,
    },
    /// The SNI selects options that failed to build, or nothing was published.
    #[error("no TLS configuration for options {options:?}")]
    NoConfig {
        /// The options name selected.
        options: Arc<str>,
    },
    /// A TLS-ALPN-01 validation handshake: complete, never served as HTTP.
    #[error("TLS-ALPN-01 challenge handshake completed")]
    AcmeChallenge,
}

/// The future of [`TlsAcceptor::accept`] (boxed: one allocation per connection,
/// next to a TLS handshake).
pub type AcceptFuture<I, S> =
    Pin<Box<dyn Future<Output = io::Result<(TlsStream<I>, TlsInfoService<S>)>> + Send>>;

// === impl TlsAcceptor ===

impl TlsAcceptor<DefaultAcceptor> {
    /// An acceptor reading the registry's current snapshot for each handshake,
    /// with a 10 s handshake timeout.
    pub fn new(registry: Arc<TlsRegistry>) -> Self {
        TlsAcceptor {
            inner: DefaultAcceptor,
            registry,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }
}

impl<A> TlsAcceptor<A> {
    /// Runs `inner` before the handshake, on the raw stream.
    pub fn acceptor<B>(self, inner: B) -> TlsAcceptor<B> {
        TlsAcceptor {
            inner,
            registry: self.registry,
            handshake_timeout: self.handshake_timeout,
        }
    }

    /// The limit for reading the ClientHello and completing the handshake.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// The registry.
    pub fn registry(&self) -> &Arc<TlsRegistry> {
        &self.registry
    }

    /// Performs the server side of a handshake on `stream` (what
    /// [`Accept::accept`] does after the inner acceptor), within the timeout.
    pub async fn handshake<I>(&self, stream: I) -> io::Result<(TlsStream<I>, TlsInfo)>
    where
        I: AsyncRead + AsyncWrite + Unpin,
    {
        let timeout = self.handshake_timeout;
        match tokio::time::timeout(timeout, handshake(&self.registry, stream)).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(error)) => {
                tracing::debug!(%error, "TLS handshake failed");
                Err(error)
            }
            Err(_) => {
                tracing::debug!(?timeout, "TLS handshake timed out");
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    HandshakeError::Timeout { timeout },
                ))
            }
        }
    }
}

impl<A: fmt::Debug> fmt::Debug for TlsAcceptor<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsAcceptor")
            .field("inner", &self.inner)
            .field("handshake_timeout", &self.handshake_timeout)
            .finish_non_exhaustive()
    }
}

impl<A, I, S> Accept<I, S> for TlsAcceptor<A>
where
    A: Accept<I, S>,
    A::Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    A::Service: Send + 'static,
    A::Future: Send + 'static,
{
    type Stream = TlsStream<A::Stream>;
    type Service = TlsInfoService<A::Service>;
    type Future = AcceptFuture<A::Stream, A::Service>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let inner = self.inner.accept(stream, service);
        let this = TlsAcceptor {
            inner: (),
            registry: self.registry.clone(),
            handshake_timeout: self.handshake_timeout,
        };
        Box::pin(async move {
            let (stream, service) = inner.await?;
            let (stream, info) = this.handshake(stream).await?;
            Ok((stream, TlsInfoService::new(service, Arc::new(info))))
        })
    }
}

async fn handshake<I>(registry: &TlsRegistry, stream: I) -> io::Result<(TlsStream<I>, TlsInfo)>
where
    I: AsyncRead + AsyncWrite + Unpin,
{
    let start = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream).await?;
    let sni = start
        .client_hello()
        .server_name()
        .map(|name| normalize_name(name).into_owned());
    let snapshot = registry.load();
    let (options, config) = snapshot.select(sni.as_deref());
    let Some(config) = config else {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            HandshakeError::NoConfig { options },
        ));
    };
    drop(snapshot);
    let stream = start.into_stream(config).await?;
    let conn = stream.get_ref().1;
    let alpn = conn.alpn_protocol().map(<[u8]>::to_vec);
    if alpn.as_deref() == Some(ACME_TLS_ALPN) {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            HandshakeError::AcmeChallenge,
        ));
    }
    let info = TlsInfo {
        sni,
        alpn,
        version: conn
            .protocol_version()
            .and_then(|v| v.as_str())
            .unwrap_or("unknown"),
        cipher_suite: conn
            .negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str())
            .unwrap_or("unknown"),
        peer_certificates: conn
            .peer_certificates()
            .map(|certs| certs.iter().map(|c| c.to_vec()).collect())
            .unwrap_or_default(),
        options,
    };
    tracing::trace!(
        sni = ?info.sni,
        options = %info.options,
        version = info.version,
        resumed = conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed),
        "TLS handshake completed"
    );
    Ok((stream, info))
}
