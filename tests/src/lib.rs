//! Black-box tests of the whole Portico router; see the files under `tests/`.
//!
//! This library holds what the test files share:
//!
//! - [`routing`]: routing files (YAML) built from typed routers and services;
//! - [`wire`]: HTTP/1.x over a raw socket, byte-exact requests and hand-parsed
//!   responses (source address, pipelining and half-sent requests included);
//! - [`whoami`]: reading back what a whoami backend saw (its text dump);
//! - [`cases`]: the shared conformance data (`rules-public.yaml`,
//!   `path-normalization.yaml`), loaded from `tests/data/conformance` (a copy of the shared folder).
//!
//! Backends, the in-process proxy and the one-shot clients come from
//! [`portico_test_support`].

pub mod cases;
pub mod routing;
pub mod whoami;
pub mod wire;

use std::{future::Future, net::SocketAddr, time::Duration};

use portico_test_support::proxy::{self, Proxy};

use crate::{
    routing::{Router, Routing},
    whoami::Seen,
    wire::RawResponse,
};

/// The longest any single exchange in these tests may take before the test fails.
pub const EXCHANGE_LIMIT: Duration = Duration::from_secs(10);

/// Awaits `future`, panicking with `what` if it takes longer than `limit`.
///
/// Every await on the proxy goes through this (or a shorter limit), so a hang fails
/// the test quickly instead of stalling the suite.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// let answer = portico_e2e::within(Duration::from_secs(1), "a ready future", async { 42 }).await;
/// assert_eq!(answer, 42);
/// # }
/// ```
pub async fn within<F: Future>(limit: Duration, what: &str, future: F) -> F::Output {
    match tokio::time::timeout(limit, future).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: no answer within {limit:?}"),
    }
}

/// Starts Portico with `install` (or the default single `web` entrypoint) and one
/// router, `PathPrefix(`/`)` on every default entrypoint, sending everything to
/// `backend_url`.
pub async fn catch_all(install: Option<&str>, backend_url: &str) -> Proxy {
    let routing = Routing::new()
        .router("all", Router::new("PathPrefix(`/`)", "backend"))
        .service("backend", [backend_url]);
    let mut builder = proxy::builder().routing("routing.yaml", &routing.yaml());
    if let Some(install) = install {
        builder = builder.install(install);
    }
    builder.start().await
}

/// Sends `bytes` on a new connection and reads one response; panics on I/O
/// errors and after [`EXCHANGE_LIMIT`].
pub async fn send_raw(addr: SocketAddr, bytes: &[u8]) -> RawResponse {
    within(EXCHANGE_LIMIT, "raw exchange", wire::exchange(addr, bytes))
        .await
        .unwrap_or_else(|e| panic!("raw exchange with {addr} failed: {e}"))
}

/// `GET target` with `Host: example.com` and `Connection: close`, sent byte-exact;
/// returns the response and, when a whoami backend answered, what it saw.
pub async fn get_seen(addr: SocketAddr, target: &str) -> (RawResponse, Option<Seen>) {
    let response = send_raw(
        addr,
        &wire::request(
            "GET",
            target,
            Some("example.com"),
            &[("Connection", "close")],
        ),
    )
    .await;
    let seen = Seen::parse(&response.text());
    (response, seen)
}
