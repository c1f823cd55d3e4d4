//! Authentication middlewares: basicAuth, digestAuth, forwardAuth.

use serde::{Deserialize, Serialize};

use crate::raw::ClientTls;
/// The basicAuth middleware (`dynamic.BasicAuth`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasicAuth {
    /// Users as `name:hash` (bcrypt, MD5 or SHA1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// File of users, one `name:hash` per line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users_file: Option<String>,
    /// Realm (default `traefik`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Remove `Authorization` before forwarding (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_header: Option<bool>,
    /// Header receiving the authenticated user name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_field: Option<String>,
}

/// The digestAuth middleware (`dynamic.DigestAuth`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DigestAuth {
    /// Users as `name:realm:hash`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// File of users, one `name:realm:hash` per line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users_file: Option<String>,
    /// Remove `Authorization` before forwarding (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_header: Option<bool>,
    /// Realm (default `traefik`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Header receiving the authenticated user name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_field: Option<String>,
}

/// The forwardAuth middleware (`dynamic.ForwardAuth`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ForwardAuth {
    /// URL of the authentication service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// TLS towards the authentication service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
    /// Trust incoming `X-Forwarded-*` headers (deprecated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_forward_header: Option<bool>,
    /// Headers copied from the authentication response to the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_response_headers: Option<Vec<String>>,
    /// Regex of headers copied from the authentication response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_response_headers_regex: Option<String>,
    /// Request headers sent to the authentication service (default all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_request_headers: Option<Vec<String>>,
    /// Cookies copied from the authentication response to the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_auth_cookies_to_response: Option<Vec<String>>,
    /// Header receiving the authenticated user name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_field: Option<String>,
    /// Send the request body to the authentication service (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_body: Option<bool>,
    /// Largest body sent; over it: 401 (default -1, unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_body_size: Option<i64>,
    /// Largest authentication response body read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_response_body_size: Option<i64>,
    /// Forward `Location` as is instead of making it absolute (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preserve_location_header: Option<bool>,
    /// Use the request's method towards the authentication service (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preserve_request_method: Option<bool>,
    /// Where to redirect when the authentication service answers 401.
    #[serde(rename = "authSigninURL", skip_serializing_if = "Option::is_none")]
    pub auth_signin_url: Option<String>,
}
