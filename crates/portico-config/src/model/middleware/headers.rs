//! `headers`: validated options.

/// The validated options of a `headers` middleware. Header names keep their case as
/// written; every name and value is known to be valid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeadersSpec {
    /// Request headers to set, in name order; `None` deletes.
    pub custom_request_headers: Vec<(String, Option<String>)>,
    /// Response headers to set, in name order; `None` deletes.
    pub custom_response_headers: Vec<(String, Option<String>)>,
    /// CORS, when any CORS option is set (boxed: the spec stays small).
    pub cors: Option<Box<CorsSpec>>,
    /// Security checks and headers, when any such option is set (boxed).
    pub security: Option<Box<SecuritySpec>>,
}

/// CORS options (`accessControl*`, `addVaryHeader`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsSpec {
    /// `accessControlAllowCredentials`.
    pub allow_credentials: bool,
    /// `accessControlAllowHeaders`.
    pub allow_headers: Vec<String>,
    /// `accessControlAllowMethods`.
    pub allow_methods: Vec<String>,
    /// `accessControlAllowOriginList`.
    pub allow_origin_list: Vec<String>,
    /// `accessControlAllowOriginListRegex` (known to compile).
    pub allow_origin_list_regex: Vec<String>,
    /// `accessControlExposeHeaders`.
    pub expose_headers: Vec<String>,
    /// `accessControlMaxAge`, in seconds.
    pub max_age: Option<i64>,
    /// `addVaryHeader`.
    pub add_vary_header: bool,
}

/// Security options (Traefik hands them to `unrolled/secure`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecuritySpec {
    /// `allowedHosts`.
    pub allowed_hosts: Vec<String>,
    /// `hostsProxyHeaders`.
    pub hosts_proxy_headers: Vec<String>,
    /// `sslProxyHeaders`, in name order.
    pub ssl_proxy_headers: Vec<(String, String)>,
    /// Deprecated `sslRedirect`.
    pub ssl_redirect: bool,
    /// Deprecated `sslTemporaryRedirect`.
    pub ssl_temporary_redirect: bool,
    /// Deprecated `sslHost`.
    pub ssl_host: String,
    /// Deprecated `sslForceHost`.
    pub ssl_force_host: bool,
    /// `stsSeconds` (0: no STS header).
    pub sts_seconds: u64,
    /// `stsIncludeSubdomains`.
    pub sts_include_subdomains: bool,
    /// `stsPreload`.
    pub sts_preload: bool,
    /// `forceSTSHeader`.
    pub force_sts_header: bool,
    /// `frameDeny`.
    pub frame_deny: bool,
    /// `customFrameOptionsValue`.
    pub custom_frame_options_value: String,
    /// `contentTypeNosniff`.
    pub content_type_nosniff: bool,
    /// `browserXssFilter`.
    pub browser_xss_filter: bool,
    /// `customBrowserXSSValue`.
    pub custom_browser_xss_value: String,
    /// `contentSecurityPolicy`.
    pub content_security_policy: String,
    /// `contentSecurityPolicyReportOnly`.
    pub content_security_policy_report_only: String,
    /// `publicKey`.
    pub public_key: String,
    /// `referrerPolicy`.
    pub referrer_policy: String,
    /// `permissionsPolicy`.
    pub permissions_policy: String,
    /// Deprecated `featurePolicy`.
    pub feature_policy: String,
    /// `isDevelopment`.
    pub is_development: bool,
}
