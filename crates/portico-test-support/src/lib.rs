//! Test harness for Portico's integration tests.
//!
//! - [`upstream`]: backends on `127.0.0.1:0` (whoami, any axum router, a server
//!   that never answers, an address that refuses connections);
//! - [`proxy`]: Portico in-process from install and routing YAML, with the
//!   routing files in a temporary directory the test can rewrite;
//! - [`client`]: one-shot HTTP/1.1 and HTTP/2 requests and raw-socket exchanges;
//! - [`tls`]: a CA and certificates (rcgen), and TLS clients for entrypoints.
//!
//! Every listener is bound before its address is handed out; no port is ever
//! guessed.

pub mod client;
pub mod proxy;
pub mod tls;
pub mod upstream;
