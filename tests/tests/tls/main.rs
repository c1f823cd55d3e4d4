//! TLS termination on entrypoints, through the running proxy: certificates chosen
//! by SNI, TLS options, client certificates, ALPN, redirection, domain fronting and
//! live certificate changes. Certificates are generated here (rcgen).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod certificates;
mod options;
mod support;
