//! Validation: raw models in, typed models out, every problem with its key path.
//!
//! - [`install`]: the whole install configuration must be valid, or nothing starts;
//!   all errors are collected, not just the first.
//! - [`routing`]: each router and service is validated on its own; an invalid one is
//!   kept with its errors (and later disabled) while the rest is served.
//! - [`service_graph`]: on the model merged from every provider, references
//!   between services and to transports are resolved, and cycles refused.
//!
//! Both apply Traefik's defaults and report settings Portico accepts but does not
//! apply as warnings, never silently.

mod acme;
mod graph;
mod install;
mod middleware;
mod routing;
mod service;
mod tls;
mod tls_names;
mod transport;

pub use self::{
    graph::service_graph,
    install::install,
    routing::{RoutingOptions, routing},
};

/// One problem in a configuration, at a key path.
///
/// # Example
///
/// ```
/// use portico_config::validate::ValidationError;
/// let e = ValidationError::new("entryPoints.web.address", "missing port");
/// assert_eq!(e.to_string(), "entryPoints.web.address: missing port");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ValidationError {
    /// Dotted key path (`entryPoints.web.address`).
    pub path: String,
    /// What is wrong, lower case.
    pub message: String,
}

impl ValidationError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> ValidationError {
        ValidationError {
            path: path.into(),
            message: message.into(),
        }
    }
}
