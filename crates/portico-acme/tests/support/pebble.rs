//! pebble and pebble-challtestsrv for one test: the shared harness's
//! ([`portico_test_support::pebble`]), also used by the end-to-end ACME tests.

pub use portico_test_support::pebble::{Pebble, PebbleOptions};
