//! Shared helpers of the ACME integration tests.

#![allow(unreachable_pub, dead_code, clippy::unwrap_used)]

pub mod pebble;
pub mod servers;
