//! Traefik v3 rule language: parser with byte spans, compiled matchers and
//! priority-ordered route selection.
//!
//! This crate is pure: no I/O, no async runtime. It is the contract between the
//! configuration (which parses and validates rules) and the router (which selects a
//! route per request).
//!
//! - [`Rule::parse`] parses a rule with Traefik's grammar (a Go expression: matcher calls,
//!   `&&`, `||`, `!`, parentheses, Go string literals) and compiles its matchers (Go
//!   regexps are translated, see below). Errors are [`RuleError`]s with a byte position.
//! - [`RequestView`] holds what a rule may look at; [`canonical_host`] and
//!   [`routing_path`] compute its host and path the way Traefik does.
//! - [`RouteSet`] orders routes by priority and finds the first match, using a host index
//!   so that it does not scan every route.
//!
//! Both syntaxes are supported: [`Syntax::V3`] (the default) and [`Syntax::V2`]
//! (`ruleSyntax: v2`: variadic matchers, `HostHeader`, `Headers`, gorilla/mux templates).
//!
//! # Example
//!
//! ```
//! use portico_rules::{RequestView, RouteSet, Rule, Syntax, canonical_host, routing_path};
//!
//! // Configuration time: parse, check, index.
//! let mut builder = RouteSet::builder();
//! for (name, src) in [
//!     ("api", "Host(`example.com`) && PathPrefix(`/api`)"),
//!     ("site", "Host(`example.com`)"),
//!     ("any-health", "Path(`/health`)"),
//! ] {
//!     let rule = Rule::parse(src, Syntax::V3).map_err(|e| e.render(src))?;
//!     let priority = rule.default_priority();
//!     builder.push(rule, priority, name);
//! }
//! let routes = builder.build();
//!
//! // Per request.
//! let request = http::Request::get("/api/users?id=7")
//!     .header("host", "Example.com:443")
//!     .body(())
//!     .unwrap();
//! let (parts, ()) = request.into_parts();
//! let host = canonical_host(&parts);
//! let path = routing_path(parts.uri.path());
//! let view = RequestView {
//!     method: &parts.method,
//!     host: &host,
//!     path: &path,
//!     query: parts.uri.query(),
//!     headers: &parts.headers,
//!     client_ip: Some("192.0.2.1".parse().unwrap()),
//! };
//! // The longer rule has the higher default priority, as in Traefik.
//! assert_eq!(routes.find(&view), Some(&"api"));
//! # Ok::<(), String>(())
//! ```
//!
//! # Compatibility notes
//!
//! - Regexps are Go RE2 (`regex_go` module): a `{` that is not a repetition is literal,
//!   `\d \w \s \b` are ASCII-only, `\Q…\E` and octal escapes work, look-around and
//!   back-references are rejected. Matching is unanchored.
//! - `HostRegexp` matches the empty string's verdict too (Traefik also tries the
//!   CNAME-flattened host, `""` when flattening is off): a pattern matching `""` matches
//!   every request.
//! - `Header(`Host`, …)` never matches, as in Traefik (Go moves `Host` out of the header
//!   map); a warning says so.
//! - CNAME flattening (`hostResolver`) is not implemented.

mod ast;
mod compile;
mod error;
mod lexer;
mod matcher;
mod parser;
mod regex_go;
mod request;
mod route_set;
mod rule;
mod v2;

pub use self::{
    error::RuleError,
    request::{RequestView, canonical_host, routing_path},
    route_set::{RouteSet, RouteSetBuilder},
    rule::Rule,
};

/// Which rule syntax a router uses (`ruleSyntax`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// Traefik v3 syntax (the default).
    #[default]
    V3,
    /// Traefik v2 syntax (`ruleSyntax: v2`).
    V2,
}
