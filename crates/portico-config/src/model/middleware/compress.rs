//! `compress`: validated options.

/// The validated options of a `compress` middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompressSpec {
    /// `excludedContentTypes`: media types (lower-case `type/subtype`, parameters
    /// dropped as Traefik does) never compressed; `application/grpc` always is.
    pub excluded_content_types: Vec<String>,
    /// `includedContentTypes`: when not empty, only these media types are
    /// compressed (exclusive with `excludedContentTypes`).
    pub included_content_types: Vec<String>,
    /// `minResponseBodyBytes` (default 1024).
    pub min_response_body_bytes: u64,
    /// `encodings`, by priority (default `zstd`, `br`, `gzip`, as Traefik).
    pub encodings: Vec<String>,
    /// `defaultEncoding`: used without `Accept-Encoding` or for `*` (one of
    /// `encodings`).
    pub default_encoding: Option<String>,
}
