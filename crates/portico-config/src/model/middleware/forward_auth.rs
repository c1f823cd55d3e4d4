//! `forwardAuth`: validated options.

/// The validated options of a `forwardAuth` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForwardAuthSpec {
    /// The authentication server's URL (`http` or `https`).
    pub address: String,
    /// TLS towards it; files are read when the middleware is built (boxed: the
    /// spec stays small).
    pub tls: Option<Box<ForwardAuthTls>>,
    /// Trust the client's `X-Forwarded-*` headers (default false).
    pub trust_forward_header: bool,
    /// Headers copied from the server's answer onto the request.
    pub auth_response_headers: Vec<String>,
    /// Regular expression of such headers (known to compile).
    pub auth_response_headers_regex: Option<String>,
    /// Request headers sent to the server (empty: all).
    pub auth_request_headers: Vec<String>,
    /// Cookies copied from the server's answer to the response.
    pub add_auth_cookies_to_response: Vec<String>,
    /// The answer's header naming the authenticated user.
    pub header_field: Option<String>,
    /// Send the request body (default false).
    pub forward_body: bool,
    /// Largest body sent (`None`: no limit, Traefik's -1); over it, `401`.
    pub max_body_size: Option<u64>,
    /// Largest answer body read (`None`: no limit); over it, `500`.
    pub max_response_body_size: Option<u64>,
    /// Return `Location` as the server wrote it (default false).
    pub preserve_location_header: bool,
    /// Ask with the request's method instead of `GET` (default false).
    pub preserve_request_method: bool,
    /// Where `401` answers send the client (a `302`).
    pub auth_signin_url: Option<String>,
}

/// TLS towards the authentication server: each of `ca`, `cert`, `key` is a file
/// path or inline PEM.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForwardAuthTls {
    /// Trusted CA (default: the system's).
    pub ca: Option<String>,
    /// Client certificate.
    pub cert: Option<String>,
    /// Client key.
    pub key: Option<String>,
    /// Accept any server certificate (default false).
    pub insecure_skip_verify: bool,
}
