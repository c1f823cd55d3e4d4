//! Live reconfiguration: routing edits under load, broken files, directory swaps,
//! and entrypoints added, removed, moved and retuned without a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod entrypoints;
mod routing;
mod support;
