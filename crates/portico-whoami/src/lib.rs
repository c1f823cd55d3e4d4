//! A tiny echo backend in the spirit of [`traefik/whoami`], for demos and tests.
//!
//! `portico whoami --address :9000 --name whoami-1` runs this crate. It answers every request
//! with what it saw, so a test behind the proxy can check which backend answered and which
//! headers, path and protocol reached it.
//!
//! # Endpoints
//!
//! | path | what it does |
//! |---|---|
//! | `/` and any path not listed | plain-text dump: `Name`, `Hostname`, `IP`, `RemoteAddr`, the request line, the headers (`Host` first), then the body. `?wait=100ms` delays the answer |
//! | `/api` | the same as JSON: `hostname`, `ip`, `headers`, `url`, `host`, `method`, `name`, `remoteAddr`; `?wait=` too |
//! | `/health` | `GET` answers the current health status (200 `OK` at start); `POST` with a status code as body sets it |
//! | `/data?size=N&unit=KB` | streams `N` units (`B`, `KB`, `MB`, `GB`, `TB`) of bytes, at most [`MAX_DATA_BYTES`]; `attachment=true` adds `Content-Disposition` |
//! | `/bench` | `1`, as fast as possible |
//! | `/echo` | WebSocket echo of text and binary messages; a request with a body (`POST`, `PUT`, ...) gets its body streamed back |
//! | `/status/{code}` | answers with that status (200..=599) |
//! | `/sse?count=N&interval=100ms` | a server-sent-events stream of `N` events (at most [`MAX_SSE_EVENTS`]) |
//! | `/slow-headers?delay=2s` | the `/` dump, sent after the delay (for timeout tests) |
//!
//! Durations use Go's syntax (`250ms`, `1.5s`, `1m30s`) and are capped at [`MAX_WAIT`]. A bad
//! or too large parameter gets `400 Bad Request` with a message naming it. Every response
//! carries [`NAME_HEADER`] when a name is set, so load-balancing tests can see which backend
//! answered. Unlike the original, `?env=true` is not supported: the process environment is
//! never printed.
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let listener = portico_whoami::bind("127.0.0.1:0").await?;
//! println!("whoami on http://{}", listener.local_addr()?);
//!
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(portico_whoami::serve(
//!     listener,
//!     Some("whoami-1".to_owned()),
//!     async move {
//!         let _ = stopped.await;
//!     },
//! ));
//!
//! // ... send requests ...
//!
//! let _ = stop.send(());
//! server.await.expect("server task panicked")?;
//! # Ok(())
//! # }
//! ```
//!
//! The router can also be nested into another axum application. The handlers read the peer
//! address from [`axum::extract::ConnectInfo`] when the application provides it:
//!
//! ```
//! use portico_whoami::Whoami;
//!
//! let app: axum::Router = axum::Router::new().nest("/whoami", Whoami::new(None).router());
//! ```
//!
//! [`traefik/whoami`]: https://github.com/traefik/whoami

mod data;
mod echo;
mod health;
mod info;
mod params;
mod serve;
mod stream;

use std::sync::{Arc, atomic::AtomicU16};
use std::time::Duration;

use axum::{
    Router,
    extract::State,
    http::{HeaderName, HeaderValue},
    middleware,
    response::Response,
    routing::{any, get},
};

pub use self::serve::{bind, serve};

/// Header added to every response when the server has a name: `X-Whoami-Name: <name>`.
pub const NAME_HEADER: HeaderName = HeaderName::from_static("x-whoami-name");

/// Longest delay `?wait=` and `?delay=` accept, and the longest SSE `interval`.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// Largest body `/data` streams: 1 GiB.
pub const MAX_DATA_BYTES: u64 = 1 << 30;

/// Largest `count` `/sse` accepts.
pub const MAX_SSE_EVENTS: u64 = 10_000;

/// Largest request body the `/` dump prints (1 MiB); a larger one gets `413`.
pub const MAX_DUMP_BODY: usize = 1 << 20;

/// A whoami server: a name, the host name, and the health status that `POST /health` sets.
///
/// Clones share the health status; each [`Whoami::new`] starts its own at 200.
#[derive(Clone, Debug)]
pub struct Whoami {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: Option<String>,
    hostname: String,
    health: AtomicU16,
}

// === impl Whoami ===

impl Whoami {
    /// Creates a server answering as `name`; `None` or an empty name means no name, as in whoami.
    pub fn new(name: Option<String>) -> Self {
        let name = name.filter(|name| !name.is_empty());
        let hostname = gethostname::gethostname().to_string_lossy().into_owned();
        Self {
            inner: Arc::new(Inner {
                name,
                hostname,
                health: AtomicU16::new(200),
            }),
        }
    }

    /// The name given to [`Whoami::new`], if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// The axum router serving every endpoint listed in the [crate docs](crate).
    ///
    /// Routers made from the same `Whoami` (or its clones) share the health status.
    pub fn router(&self) -> Router {
        let router = Router::new()
            .route("/api", any(info::api))
            .route("/bench", any(data::bench))
            .route("/data", any(data::data))
            .route("/echo", any(echo::echo))
            .route("/health", any(health::health))
            .route("/sse", get(stream::sse))
            .route("/status/{code}", any(stream::status))
            .route("/slow-headers", any(info::dump))
            .fallback(info::dump)
            .with_state(self.clone());

        match self.name().map(HeaderValue::from_str) {
            Some(Ok(value)) => router.layer(middleware::map_response_with_state(value, add_name)),
            Some(Err(_)) => {
                tracing::warn!(name = ?self.name(), "whoami name is not a valid header value; not sending it as a header");
                router
            }
            None => router,
        }
    }

    /// Serves [`Whoami::router`] on `listener` until `shutdown` completes; see [`serve`].
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        serve::run(self, listener, shutdown).await
    }

    fn hostname(&self) -> &str {
        &self.inner.hostname
    }
}

async fn add_name(State(name): State<HeaderValue>, mut response: Response) -> Response {
    response.headers_mut().insert(NAME_HEADER, name);
    response
}

#[cfg(test)]
mod tests;
