//! The one place where middleware configuration becomes tower layers: an
//! exhaustive `match` over [`MiddlewareSpec`], one module per kind. Adding a kind
//! to the configuration model does not compile until it is wired here.

mod add_prefix;
mod basic_auth;
mod buffering;
mod circuit_breaker;
mod compress;
mod content_type;
mod digest_auth;
mod encoded_characters;
mod errors;
mod forward_auth;
mod grpc_web;
mod headers;
mod in_flight_req;
mod ip_allow_list;
mod pass_tls_client_cert;
mod rate_limit;
mod redirect_regex;
mod redirect_scheme;
mod replace_path;
mod replace_path_regex;
mod retry;
mod strip_prefix;
mod strip_prefix_regex;

use std::sync::Arc;

use portico_config::model::middleware::MiddlewareSpec;
use portico_core::BoxHttpService;

/// A built middleware: wraps a service into a new one. Cheap to clone. Each call
/// wraps one router's service, and stateful middlewares (rate-limit buckets,
/// in-flight counters, circuit-breaker windows) create their state per call, so
/// that state is per router, as in Traefik; the compiler reuses a router's wrapped
/// service across reloads while neither its service nor its middlewares changed.
pub type HttpLayer = Arc<dyn Fn(BoxHttpService) -> BoxHttpService + Send + Sync>;

/// What building a middleware may need besides its own options.
#[derive(Clone, Debug)]
pub struct BuildContext {
    /// Services of the same configuration, by qualified name (for `errors`).
    pub services: std::collections::HashMap<portico_config::model::QualifiedName, BoxHttpService>,
}

/// Builds one middleware (not `chain`, which the compiler expands).
pub(crate) fn build(spec: &MiddlewareSpec, ctx: &BuildContext) -> Result<HttpLayer, String> {
    match spec {
        MiddlewareSpec::AddPrefix(spec) => add_prefix::build(spec, ctx),
        MiddlewareSpec::BasicAuth(spec) => basic_auth::build(spec, ctx),
        MiddlewareSpec::Buffering(spec) => buffering::build(spec, ctx),
        MiddlewareSpec::CircuitBreaker(spec) => circuit_breaker::build(spec, ctx),
        MiddlewareSpec::Compress(spec) => compress::build(spec, ctx),
        MiddlewareSpec::ContentType(spec) => content_type::build(spec, ctx),
        MiddlewareSpec::DigestAuth(spec) => digest_auth::build(spec, ctx),
        MiddlewareSpec::EncodedCharacters(spec) => encoded_characters::build(spec, ctx),
        MiddlewareSpec::Errors(spec) => errors::build(spec, ctx),
        MiddlewareSpec::ForwardAuth(spec) => forward_auth::build(spec, ctx),
        MiddlewareSpec::GrpcWeb(spec) => grpc_web::build(spec, ctx),
        MiddlewareSpec::Headers(spec) => headers::build(spec, ctx),
        MiddlewareSpec::InFlightReq(spec) => in_flight_req::build(spec, ctx),
        MiddlewareSpec::IpAllowList(spec) => ip_allow_list::build(spec, ctx),
        MiddlewareSpec::PassTlsClientCert(spec) => pass_tls_client_cert::build(spec, ctx),
        MiddlewareSpec::RateLimit(spec) => rate_limit::build(spec, ctx),
        MiddlewareSpec::RedirectRegex(spec) => redirect_regex::build(spec, ctx),
        MiddlewareSpec::RedirectScheme(spec) => redirect_scheme::build(spec, ctx),
        MiddlewareSpec::ReplacePath(spec) => replace_path::build(spec, ctx),
        MiddlewareSpec::ReplacePathRegex(spec) => replace_path_regex::build(spec, ctx),
        MiddlewareSpec::Retry(spec) => retry::build(spec, ctx),
        MiddlewareSpec::StripPrefix(spec) => strip_prefix::build(spec, ctx),
        MiddlewareSpec::StripPrefixRegex(spec) => strip_prefix_regex::build(spec, ctx),
        MiddlewareSpec::Chain(_) => Err("chains are expanded by the compiler".to_owned()),
    }
}
