//! One entrypoint: a bound listener, its accept loop and its drain.

use std::{
    convert::Infallible,
    io,
    net::{SocketAddr, TcpListener},
    sync::{Arc, OnceLock},
    time::Duration,
};

use portico_config::model::EntryPointSpec;
use portico_core::{Drain, HttpRequest, HttpResponse};
use portico_middleware::{
    entry_path::{EntryPath, EntryPathLayer},
    forwarded_headers::{ForwardedHeaders, ForwardedHeadersLayer, Trust},
    redirect_scheme::{RedirectScheme, RedirectSchemeLayer},
};
use portico_tls::{TlsAcceptor, TlsRegistry};
use tokio::task::JoinHandle;
use tower::util::Either;
use tower::{Layer, Service};
use tracing::{debug, info};

use crate::{
    BindError,
    conn::{ConnAcceptor, MakeConn},
    watchdog::Limits,
};

/// hyper's smallest allowed read buffer.
const MIN_BUF: usize = 8 * 1024;

/// The tower stack every request of an entrypoint goes through, in order: the path
/// pipeline ([`EntryPathLayer`]), forwarded headers ([`ForwardedHeadersLayer`]),
/// the entrypoint redirection (`http.redirections`, plain HTTP only; otherwise the
/// `Right` side, no redirection), then the router `R` given to
/// [`EntryPoint::serve`].
pub type EntryStack<R> = EntryPath<ForwardedHeaders<Either<RedirectScheme<R>, R>>>;

/// An entrypoint whose listener is bound but not yet serving.
///
/// Binding is separate from serving so that a process can bind every entrypoint
/// first and refuse to start at all when one address is unusable.
///
/// # Example
///
/// ```no_run
/// use portico_config::model::{EntryPointSpec, ListenAddress};
/// use portico_core::{HttpRequest, respond};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let spec = EntryPointSpec::new("web", ListenAddress::parse("127.0.0.1:0")?);
/// let entrypoint = portico_server::EntryPoint::bind(spec)?;
/// println!("listening on {}", entrypoint.local_addr());
/// let router = tower::service_fn(|_req: HttpRequest| async {
///     Ok::<_, std::convert::Infallible>(respond::not_found())
/// });
/// let running = entrypoint.serve(router);
/// running.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct EntryPoint {
    spec: EntryPointSpec,
    listener: TcpListener,
    local_addr: SocketAddr,
}

/// A serving entrypoint; [`RunningEntryPoint::shutdown`] drains it.
#[derive(Debug)]
pub struct RunningEntryPoint {
    /// A second handle on the listening socket, to start another accept loop on it.
    listener: Option<TcpListener>,
    name: Arc<str>,
    local_addr: SocketAddr,
    spec: EntryPointSpec,
    handle: axum_server::Handle<SocketAddr>,
    task: JoinHandle<io::Result<()>>,
    drain: Drain,
}

// === impl EntryPoint ===

impl EntryPoint {
    /// Binds the entrypoint's address.
    pub fn bind(spec: EntryPointSpec) -> Result<EntryPoint, BindError> {
        let listener = crate::bind::bind_with(&spec.address, spec.reuse_port)?;
        let local_addr = listener.local_addr().map_err(|source| BindError {
            address: spec.address.to_string(),
            source,
        })?;
        Ok(EntryPoint {
            spec,
            listener,
            local_addr,
        })
    }

    /// The address the listener is bound to (the real port when `:0` was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The entrypoint's configuration.
    pub fn spec(&self) -> &EntryPointSpec {
        &self.spec
    }

    /// Adjusts the configuration before serving (for example a redirection's port,
    /// known once its target entrypoint is bound).
    pub fn spec_mut(&mut self) -> &mut EntryPointSpec {
        &mut self.spec
    }

    /// Builds the entrypoint's stack in front of `router`; `redirect` applies the
    /// entrypoint's `http.redirections` (for plain HTTP).
    pub fn stack<R>(spec: &EntryPointSpec, router: R, redirect: bool) -> EntryStack<R> {
        let trust = if spec.forwarded_headers.insecure {
            Trust::everybody()
        } else {
            Trust::networks(spec.forwarded_headers.trusted_ips.clone())
        };
        let forwarded = ForwardedHeadersLayer::new(trust, server_name());
        let path = EntryPathLayer::new()
            .sanitize(spec.http.sanitize_path)
            .encode_query_semicolons(spec.http.encode_query_semicolons);
        let router = match (&spec.redirect, redirect) {
            (Some(to), true) => Either::Left(
                RedirectSchemeLayer::new(&to.scheme)
                    .port(&to.port.to_string())
                    .permanent(to.permanent)
                    .layer(router),
            ),
            _ => Either::Right(router),
        };
        path.layer(forwarded.layer(router))
    }

    /// Starts the accept loop (a tokio task) serving HTTP/1.1 and HTTP/2 with
    /// `router` behind the entrypoint stack. Must be called within a tokio runtime.
    pub fn serve<R>(self, router: R) -> RunningEntryPoint
    where
        R: Service<HttpRequest, Response = HttpResponse, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        R::Future: Send + 'static,
    {
        self.serve_inner(router, None)
    }

    /// Like [`serve`](Self::serve), and also terminates TLS with `registry`'s
    /// certificates and options: TLS connections go to `https`, plain ones to
    /// `http`.
    pub fn serve_tls<R>(self, http: R, https: R, registry: Arc<TlsRegistry>) -> RunningEntryPoint
    where
        R: Service<HttpRequest, Response = HttpResponse, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        R::Future: Send + 'static,
    {
        self.serve_inner(http, Some((https, registry)))
    }

    fn serve_inner<R>(self, router: R, tls: Option<(R, Arc<TlsRegistry>)>) -> RunningEntryPoint
    where
        R: Service<HttpRequest, Response = HttpResponse, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        R::Future: Send + 'static,
    {
        let EntryPoint {
            spec,
            listener,
            local_addr,
        } = self;
        let name: Arc<str> = Arc::from(spec.name.as_str());
        let spare = listener.try_clone().ok();
        let handle = axum_server::Handle::new();
        let drain = Drain::new();
        let limits = Limits {
            read: spec.timeouts.read,
            write: spec.timeouts.write,
            idle: spec.timeouts.idle,
        };
        // Go reads up to maxHeaderBytes + 4096 bytes of request head; hyper's read
        // buffer cannot be smaller than 8 KiB, so smaller limits are checked per
        // request instead.
        let head_limit = spec.http.max_header_bytes.saturating_add(4096);
        let handshake = spec.timeouts.read.unwrap_or(Duration::from_secs(60));
        let (https, registry) = match tls {
            Some((https, registry)) => (Some(Self::stack(&spec, https, false)), Some(registry)),
            None => (None, None),
        };
        let acceptor_tls = registry
            .clone()
            .map(|r| TlsAcceptor::new(r).handshake_timeout(handshake));
        let make = MakeConn {
            stack: Self::stack(&spec, router, true),
            https,
            registry,
            entrypoint: name.clone(),
            local: local_addr,
            drain: drain.clone(),
            max_head_bytes: (head_limit < MIN_BUF).then_some(head_limit),
        };
        let task = match axum_server::from_tcp(listener) {
            Ok(server) => {
                let mut server = server
                    .acceptor(ConnAcceptor {
                        limits,
                        tls: acceptor_tls,
                    })
                    .handle(handle.clone());
                let builder = server.http_builder();
                builder
                    .http1()
                    .keep_alive(true)
                    // One buffer per response head and small body: over TLS one
                    // record (one seal) instead of one per buffer.
                    .writev(false)
                    .header_read_timeout(None)
                    .max_buf_size(head_limit.clamp(MIN_BUF, 64 << 20));
                builder
                    .http2()
                    .max_concurrent_streams(spec.http.max_concurrent_streams.max(1))
                    .max_header_list_size(
                        u32::try_from(spec.http.max_header_bytes).unwrap_or(u32::MAX),
                    );
                let ep = name.clone();
                tokio::spawn(async move {
                    info!(entrypoint = %ep, address = %local_addr, "entrypoint serving");
                    server.serve(make).await
                })
            }
            Err(error) => tokio::spawn(async move { Err(error) }),
        };
        RunningEntryPoint {
            listener: spare,
            name,
            local_addr,
            spec,
            handle,
            task,
            drain,
        }
    }
}

// === impl RunningEntryPoint ===

impl RunningEntryPoint {
    /// The entrypoint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The configuration it was started with.
    pub fn spec(&self) -> &EntryPointSpec {
        &self.spec
    }

    /// The same listening socket with other settings (`spec`'s address is not used):
    /// serve it, then [`drain`](Self::drain) this one, and the settings change for
    /// new connections without a moment where the port refuses them (both accept
    /// loops share the socket while this one stops).
    pub fn same_socket(&self, spec: EntryPointSpec) -> Result<EntryPoint, BindError> {
        let error = |source| BindError {
            address: self.local_addr.to_string(),
            source,
        };
        let listener = self
            .listener
            .as_ref()
            .ok_or_else(|| error(std::io::Error::other("listening socket not kept")))?
            .try_clone()
            .map_err(error)?;
        Ok(EntryPoint {
            spec,
            listener,
            local_addr: self.local_addr,
        })
    }

    /// Open connections (HTTP/1.1 and HTTP/2 with prior knowledge).
    pub fn connection_count(&self) -> usize {
        self.handle.connection_count()
    }

    /// Drains the entrypoint as Traefik's `lifeCycle` says: keep accepting for
    /// `requestAcceptGraceTimeout`, then stop accepting and give in-flight requests
    /// `graceTimeOut` to finish (idle keep-alive connections close at once); what
    /// is still open after that is closed.
    pub async fn shutdown(self) {
        let life = self.spec.life_cycle;
        if !life.request_accept_grace.is_zero() {
            debug!(entrypoint = %self.name, grace = ?life.request_accept_grace, "still accepting before stop");
            tokio::time::sleep(life.request_accept_grace).await;
        }
        self.drain(life.grace).await;
    }

    /// Stops accepting now and gives in-flight requests `grace` to finish.
    pub async fn drain(mut self, grace: Duration) {
        // Close this handle on the socket first: once every accept loop has
        // stopped, the port no longer accepts.
        self.listener = None;
        info!(entrypoint = %self.name, ?grace, "entrypoint draining");
        let deadline = tokio::time::Instant::now() + grace;
        self.handle.graceful_shutdown(Some(grace));
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(entrypoint = %self.name, %error, "entrypoint failed"),
            Err(error) => {
                tracing::error!(entrypoint = %self.name, %error, "entrypoint task failed")
            }
        }
        // Upgraded connections (WebSocket, h2c) share the same deadline.
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        self.drain.close_and_wait(left).await;
        info!(entrypoint = %self.name, "entrypoint stopped");
    }
}

/// This machine's name, for `X-Forwarded-Server`.
fn server_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        gethostname::gethostname()
            .into_string()
            .unwrap_or_else(|_| "localhost".to_owned())
    })
}
