//! Test harness for Portico's integration tests.
//!
//! - [`upstream`]: backends on `127.0.0.1:0` (whoami, any axum router, a server
//!   that never answers, an address that refuses connections);
//! - [`faulty`]: HTTP/1.1 backends whose behaviour is switched at runtime (a
//!   status, hang, reset, wrong health answers, slow, closing kept-alive
//!   connections, down and up again on the same port), with request counters
//!   tests can wait on;
//! - [`https`]: HTTPS echo backends with test certificates, optional client
//!   certificates, and a record of each handshake (TLS version, ALPN, client
//!   certificate subject);
//! - [`grpc`]: a real gRPC server (echo unary and bidirectional streaming,
//!   `grpc.health.v1.Health`) and client, over h2c or TLS;
//! - [`sse`]: a server-sent events backend that sends each event on demand;
//! - [`pebble`]: Let's Encrypt's test CA and its DNS companion, for ACME tests
//!   against a real CA;
//! - [`proxy`]: Portico in-process from install and routing YAML, with the
//!   routing files in a temporary directory the test can rewrite;
//! - [`client`]: one-shot HTTP/1.1 and HTTP/2 requests and raw-socket exchanges;
//! - [`tls`]: a CA and certificates (rcgen), and TLS clients for entrypoints;
//! - [`kube_api`]: a fake Kubernetes API server (list + watch) for kube-rs.
//!
//! Every listener is bound before its address is handed out; no port is ever
//! guessed.

pub mod client;
pub mod faulty;
pub mod grpc;
pub mod https;
pub mod kube_api;
pub mod pebble;
pub mod proxy;
pub mod sse;
pub mod tls;
pub mod upstream;

pub use kube_api::FakeKubeApi;
