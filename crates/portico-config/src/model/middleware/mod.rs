//! Validated middleware definitions (`http.middlewares.<name>`), one module per
//! Traefik middleware kind, plus `chain`.
//!
//! Each kind's `*Spec` holds its options typed and with Traefik's defaults applied;
//! regular expressions and files are kept as written (the router compiles and reads
//! them when it builds the layer). Specs compare by value so that an unchanged
//! middleware keeps its state (rate-limit buckets, circuit-breaker windows) across
//! reloads.

pub mod add_prefix;
pub mod basic_auth;
pub mod buffering;
pub mod circuit_breaker;
pub mod compress;
pub mod content_type;
pub mod digest_auth;
pub mod encoded_characters;
pub mod errors;
pub mod forward_auth;
pub mod grpc_web;
pub mod headers;
pub mod in_flight_req;
pub mod ip_allow_list;
pub mod pass_tls_client_cert;
pub mod rate_limit;
pub mod redirect_regex;
pub mod redirect_scheme;
pub mod replace_path;
pub mod replace_path_regex;
pub mod retry;
pub mod strip_prefix;
pub mod strip_prefix_regex;

use super::QualifiedName;

/// A valid middleware: exactly one kind.
#[derive(Clone, Debug, PartialEq)]
pub enum MiddlewareSpec {
    /// `add prefix`: see [`add_prefix::AddPrefixSpec`].
    AddPrefix(add_prefix::AddPrefixSpec),
    /// `basic auth`: see [`basic_auth::BasicAuthSpec`].
    BasicAuth(basic_auth::BasicAuthSpec),
    /// `buffering`: see [`buffering::BufferingSpec`].
    Buffering(buffering::BufferingSpec),
    /// `circuit breaker`: see [`circuit_breaker::CircuitBreakerSpec`].
    CircuitBreaker(circuit_breaker::CircuitBreakerSpec),
    /// `compress`: see [`compress::CompressSpec`].
    Compress(compress::CompressSpec),
    /// `content type`: see [`content_type::ContentTypeSpec`].
    ContentType(content_type::ContentTypeSpec),
    /// `digest auth`: see [`digest_auth::DigestAuthSpec`].
    DigestAuth(digest_auth::DigestAuthSpec),
    /// `encoded characters`: see [`encoded_characters::EncodedCharactersSpec`].
    EncodedCharacters(encoded_characters::EncodedCharactersSpec),
    /// `errors`: see [`errors::ErrorsSpec`].
    Errors(errors::ErrorsSpec),
    /// `forward auth`: see [`forward_auth::ForwardAuthSpec`].
    ForwardAuth(forward_auth::ForwardAuthSpec),
    /// `grpc web`: see [`grpc_web::GrpcWebSpec`].
    GrpcWeb(grpc_web::GrpcWebSpec),
    /// `headers`: see [`headers::HeadersSpec`].
    Headers(headers::HeadersSpec),
    /// `in flight req`: see [`in_flight_req::InFlightReqSpec`].
    InFlightReq(in_flight_req::InFlightReqSpec),
    /// `ip allow list`: see [`ip_allow_list::IpAllowListSpec`].
    IpAllowList(ip_allow_list::IpAllowListSpec),
    /// `pass tls client cert`: see [`pass_tls_client_cert::PassTlsClientCertSpec`].
    PassTlsClientCert(pass_tls_client_cert::PassTlsClientCertSpec),
    /// `rate limit`: see [`rate_limit::RateLimitSpec`].
    RateLimit(rate_limit::RateLimitSpec),
    /// `redirect regex`: see [`redirect_regex::RedirectRegexSpec`].
    RedirectRegex(redirect_regex::RedirectRegexSpec),
    /// `redirect scheme`: see [`redirect_scheme::RedirectSchemeSpec`].
    RedirectScheme(redirect_scheme::RedirectSchemeSpec),
    /// `replace path`: see [`replace_path::ReplacePathSpec`].
    ReplacePath(replace_path::ReplacePathSpec),
    /// `replace path regex`: see [`replace_path_regex::ReplacePathRegexSpec`].
    ReplacePathRegex(replace_path_regex::ReplacePathRegexSpec),
    /// `retry`: see [`retry::RetrySpec`].
    Retry(retry::RetrySpec),
    /// `strip prefix`: see [`strip_prefix::StripPrefixSpec`].
    StripPrefix(strip_prefix::StripPrefixSpec),
    /// `strip prefix regex`: see [`strip_prefix_regex::StripPrefixRegexSpec`].
    StripPrefixRegex(strip_prefix_regex::StripPrefixRegexSpec),
    /// `chain`: other middlewares, in order (qualified names).
    Chain(Vec<QualifiedName>),
}

impl MiddlewareSpec {
    /// Traefik's name of the middleware kind (`addPrefix`, `rateLimit`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            MiddlewareSpec::AddPrefix(_) => "addPrefix",
            MiddlewareSpec::BasicAuth(_) => "basicAuth",
            MiddlewareSpec::Buffering(_) => "buffering",
            MiddlewareSpec::CircuitBreaker(_) => "circuitBreaker",
            MiddlewareSpec::Compress(_) => "compress",
            MiddlewareSpec::ContentType(_) => "contentType",
            MiddlewareSpec::DigestAuth(_) => "digestAuth",
            MiddlewareSpec::EncodedCharacters(_) => "encodedCharacters",
            MiddlewareSpec::Errors(_) => "errors",
            MiddlewareSpec::ForwardAuth(_) => "forwardAuth",
            MiddlewareSpec::GrpcWeb(_) => "grpcWeb",
            MiddlewareSpec::Headers(_) => "headers",
            MiddlewareSpec::InFlightReq(_) => "inFlightReq",
            MiddlewareSpec::IpAllowList(_) => "ipAllowList",
            MiddlewareSpec::PassTlsClientCert(_) => "passTlsClientCert",
            MiddlewareSpec::RateLimit(_) => "rateLimit",
            MiddlewareSpec::RedirectRegex(_) => "redirectRegex",
            MiddlewareSpec::RedirectScheme(_) => "redirectScheme",
            MiddlewareSpec::ReplacePath(_) => "replacePath",
            MiddlewareSpec::ReplacePathRegex(_) => "replacePathRegex",
            MiddlewareSpec::Retry(_) => "retry",
            MiddlewareSpec::StripPrefix(_) => "stripPrefix",
            MiddlewareSpec::StripPrefixRegex(_) => "stripPrefixRegex",
            MiddlewareSpec::Chain(_) => "chain",
        }
    }
}
