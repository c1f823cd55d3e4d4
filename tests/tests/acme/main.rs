//! ACME certificate resolvers through the running proxy, against Let's Encrypt's
//! test CA (`pebble`, with `pebble-challtestsrv` as its DNS): certificates obtained
//! through HTTP-01, TLS-ALPN-01 and DNS-01, served on the next handshake and
//! verified against pebble's root; restarts that order nothing; renewal under live
//! traffic; routers naming what no resolver can give.
//!
//! Needs `pebble` and `pebble-challtestsrv` on the `PATH` (`apt-get install
//! pebble`; `tests/run.sh` installs it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod challenges;
mod errors;
mod lifecycle;
mod support;
