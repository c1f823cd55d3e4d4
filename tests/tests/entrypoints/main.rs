//! The entrypoint: its path pipeline ([`pipeline`], `path-normalization.yaml`),
//! its limits ([`limits`]: `respondingTimeouts`, `maxHeaderBytes`, malformed
//! requests), its addresses ([`addresses`]) and its drain on shutdown ([`drain`]).

mod addresses;
mod drain;
mod limits;
mod pipeline;
