//! The headers middleware (`dynamic.Headers`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
/// The headers middleware (`dynamic.Headers`). Header-name keys keep their case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Headers {
    /// Request headers to set; an empty value removes the header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_request_headers: Option<BTreeMap<String, String>>,
    /// Response headers to set; an empty value removes the header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_response_headers: Option<BTreeMap<String, String>>,
    /// CORS: `Access-Control-Allow-Credentials`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_allow_credentials: Option<bool>,
    /// CORS: `Access-Control-Allow-Headers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_allow_headers: Option<Vec<String>>,
    /// CORS: `Access-Control-Allow-Methods`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_allow_methods: Option<Vec<String>>,
    /// CORS: allowed origins (`*` for any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_allow_origin_list: Option<Vec<String>>,
    /// CORS: allowed origins, as regexes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_allow_origin_list_regex: Option<Vec<String>>,
    /// CORS: `Access-Control-Expose-Headers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_expose_headers: Option<Vec<String>>,
    /// CORS: `Access-Control-Max-Age` in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_max_age: Option<i64>,
    /// CORS: add `Vary: Origin`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_vary_header: Option<bool>,
    /// Allowed `Host` values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<String>>,
    /// Headers that may carry the original host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosts_proxy_headers: Option<Vec<String>>,
    /// Deprecated (use redirectScheme): redirect to HTTPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_redirect: Option<bool>,
    /// Deprecated: use a temporary redirect for `sslRedirect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_temporary_redirect: Option<bool>,
    /// Deprecated: host used for `sslRedirect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_host: Option<String>,
    /// Header values meaning the request came over HTTPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_proxy_headers: Option<BTreeMap<String, String>>,
    /// Deprecated: force `sslHost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_force_host: Option<bool>,
    /// `Strict-Transport-Security` max-age (0: no header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sts_seconds: Option<i64>,
    /// Add `includeSubDomains` to STS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sts_include_subdomains: Option<bool>,
    /// Add `preload` to STS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sts_preload: Option<bool>,
    /// Send STS over plain HTTP too.
    #[serde(rename = "forceSTSHeader", skip_serializing_if = "Option::is_none")]
    pub force_sts_header: Option<bool>,
    /// `X-Frame-Options: DENY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_deny: Option<bool>,
    /// Custom `X-Frame-Options` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_frame_options_value: Option<String>,
    /// `X-Content-Type-Options: nosniff`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type_nosniff: Option<bool>,
    /// `X-XSS-Protection: 1; mode=block`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser_xss_filter: Option<bool>,
    /// Custom `X-XSS-Protection` value.
    #[serde(
        rename = "customBrowserXSSValue",
        skip_serializing_if = "Option::is_none"
    )]
    pub custom_browser_xss_value: Option<String>,
    /// `Content-Security-Policy` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_security_policy: Option<String>,
    /// `Content-Security-Policy-Report-Only` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_security_policy_report_only: Option<String>,
    /// `Public-Key-Pins` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// `Referrer-Policy` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer_policy: Option<String>,
    /// `Permissions-Policy` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_policy: Option<String>,
    /// Deprecated: `Feature-Policy` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_policy: Option<String>,
    /// Skip `allowedHosts`, SSL and STS checks (development only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_development: Option<bool>,
}
