//! HTTP middlewares (`dynamic.Middleware`): one struct with an optional field
//! per kind, and the options of each kind.

mod auth;
mod headers;
mod path;
mod traffic;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::raw::{Duration, EncodedCharacters, Opaque};

pub use self::auth::{BasicAuth, DigestAuth, ForwardAuth};
pub use self::headers::Headers;
pub use self::path::{
    AddPrefix, RedirectRegex, RedirectScheme, ReplacePath, ReplacePathRegex, StripPrefix,
    StripPrefixRegex,
};
pub use self::traffic::{
    InFlightReq, IpAllowList, IpStrategy, IpWhiteList, PassTlsClientCert, RateLimit,
    RateLimitRedis, SourceCriterion, TlsClientCertInfo, TlsClientCertIssuer, TlsClientCertSubject,
};
/// An HTTP middleware (`dynamic.Middleware`): exactly one kind is expected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Middleware {
    /// Add a path prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_prefix: Option<AddPrefix>,
    /// HTTP Basic authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
    /// Buffer request and response bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffering: Option<Buffering>,
    /// Run other middlewares in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<Chain>,
    /// Stop calling a failing service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<CircuitBreaker>,
    /// Compress responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compress: Option<Compress>,
    /// Content-Type auto-detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<ContentType>,
    /// HTTP Digest authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_auth: Option<DigestAuth>,
    /// Percent-encoded characters allowed in paths (default: none of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_characters: Option<EncodedCharacters>,
    /// Custom error pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Errors>,
    /// Delegate authentication to a service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_auth: Option<ForwardAuth>,
    /// Translate gRPC-Web to gRPC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_web: Option<GrpcWeb>,
    /// Set headers, CORS and security headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Headers>,
    /// Limit concurrent requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_flight_req: Option<InFlightReq>,
    /// Allow only some client IPs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_allow_list: Option<IpAllowList>,
    /// Deprecated name of `ipAllowList`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_white_list: Option<IpWhiteList>,
    /// Pass the client certificate in headers.
    #[serde(rename = "passTLSClientCert", skip_serializing_if = "Option::is_none")]
    pub pass_tls_client_cert: Option<PassTlsClientCert>,
    /// Middleware plugins, by name: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<BTreeMap<String, Opaque>>,
    /// Limit the request rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Redirect with a regex replacement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_regex: Option<RedirectRegex>,
    /// Redirect to another scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_scheme: Option<RedirectScheme>,
    /// Replace the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_path: Option<ReplacePath>,
    /// Replace the path with a regex replacement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_path_regex: Option<ReplacePathRegex>,
    /// Retry failed requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Remove path prefixes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strip_prefix: Option<StripPrefix>,
    /// Remove path prefixes matching regexes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strip_prefix_regex: Option<StripPrefixRegex>,
}

/// The buffering middleware (`dynamic.Buffering`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Buffering {
    /// Largest request body; over it: 413 (default 0, no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_request_body_bytes: Option<i64>,
    /// Request bytes kept in memory before spilling to disk (default 1048576).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_request_body_bytes: Option<i64>,
    /// Largest response body; over it: 500 (default 0, no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_response_body_bytes: Option<i64>,
    /// Response bytes kept in memory before spilling to disk (default 1048576).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_response_body_bytes: Option<i64>,
    /// When to retry, such as `IsNetworkError() && Attempts() < 2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_expression: Option<String>,
    /// Do not buffer requests (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_request_buffer: Option<bool>,
    /// Do not buffer responses (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_response_buffer: Option<bool>,
}

/// The chain middleware (`dynamic.Chain`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Chain {
    /// Middlewares, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middlewares: Option<Vec<String>>,
}

/// The circuit breaker middleware (`dynamic.CircuitBreaker`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CircuitBreaker {
    /// Trip condition, such as `NetworkErrorRatio() > 0.5`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Time between two evaluations (default 100ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_period: Option<Duration>,
    /// Time spent open before recovering (default 10s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_duration: Option<Duration>,
    /// Time spent recovering (default 10s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_duration: Option<Duration>,
    /// Status answered while open (default 503).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_code: Option<i64>,
}

/// The compress middleware (`dynamic.Compress`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Compress {
    /// Content types never compressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_content_types: Option<Vec<String>>,
    /// Only these content types are compressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub included_content_types: Option<Vec<String>>,
    /// Smallest body compressed (default 1024).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_response_body_bytes: Option<i64>,
    /// Encodings offered, in preference order (default `gzip`, `br`, `zstd`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encodings: Option<Vec<String>>,
    /// Encoding used when the client accepts any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_encoding: Option<String>,
}

/// The contentType middleware (`dynamic.ContentType`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContentType {
    /// Guess a missing `Content-Type` from the body (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_detect: Option<bool>,
}

/// The errors middleware (`dynamic.ErrorPage`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Errors {
    /// Status codes or ranges (`"500-599"`) that trigger the error page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<String>>,
    /// Status code or range (key, kept as written) to the status answered instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_rewrites: Option<BTreeMap<String, i64>>,
    /// Service serving the error page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Path requested from it; `{status}`, `{originalStatus}` and `{url}` are replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Request headers forwarded to the error service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_request_headers: Option<Vec<String>>,
}

/// The gRPC-Web middleware (`dynamic.GrpcWeb`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrpcWeb {
    /// Allowed origins (`*` for any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_origins: Option<Vec<String>>,
}

/// The retry middleware (`dynamic.Retry`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Retry {
    /// Attempts, the first included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<i64>,
    /// First backoff interval (default 0: retry at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_interval: Option<Duration>,
    /// Time allowed for all attempts (default 0, none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Largest request body kept for replay (default 2 MiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_request_body_bytes: Option<i64>,
    /// Status codes or ranges that are retried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<String>>,
    /// Do not retry network errors (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_retry_on_network_error: Option<bool>,
    /// Also retry `POST`, `PATCH` and `LOCK` (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_non_idempotent_method: Option<bool>,
}
