//! `forwardAuth` (reads the TLS files; one connection pool per middleware).

use std::sync::Arc;

use http::{HeaderName, HeaderValue, Uri};
use portico_config::model::middleware::forward_auth::ForwardAuthSpec;
use portico_core::box_http_service;
use portico_middleware::forward_auth::{AuthClient, ClientTls, ForwardAuthLayer};
use tower::Layer;

use super::{BuildContext, HttpLayer, strip_prefix_regex::compile};

/// Where the system's CA bundle usually lives (Traefik trusts the system roots
/// when no `tls.ca` is given).
const SYSTEM_BUNDLES: [&str; 3] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// Inline PEM as it is, otherwise the file it names.
fn pem_or_file(option: &str, value: &str) -> Result<Vec<u8>, String> {
    if value.contains("-----BEGIN") {
        return Ok(value.as_bytes().to_vec());
    }
    std::fs::read(value).map_err(|e| format!("unable to read tls.{option} {value:?}: {e}"))
}

fn system_roots() -> Option<Vec<u8>> {
    SYSTEM_BUNDLES.iter().find_map(|p| std::fs::read(p).ok())
}

fn client(spec: &ForwardAuthSpec) -> Result<AuthClient, String> {
    let tls = match &spec.tls {
        Some(t) => ClientTls {
            ca: match &t.ca {
                Some(ca) => Some(pem_or_file("ca", ca)?),
                None => system_roots(),
            },
            cert: t
                .cert
                .as_deref()
                .map(|c| pem_or_file("cert", c))
                .transpose()?,
            key: t
                .key
                .as_deref()
                .map(|k| pem_or_file("key", k))
                .transpose()?,
            insecure_skip_verify: t.insecure_skip_verify,
        },
        None if spec.address.starts_with("https:") => ClientTls {
            ca: system_roots(),
            ..ClientTls::default()
        },
        None => return Ok(AuthClient::new()),
    };
    AuthClient::with_tls(&tls)
        .map_err(|e| format!("unable to create the client TLS configuration: {e}"))
}

fn names(list: &[String]) -> Result<Vec<HeaderName>, String> {
    list.iter()
        .map(|n| HeaderName::try_from(n.as_str()).map_err(|_| format!("invalid header name {n:?}")))
        .collect()
}

pub(super) fn build(spec: &ForwardAuthSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let address: Uri = spec
        .address
        .parse()
        .map_err(|_| format!("invalid address {:?}", spec.address))?;
    let mut layer = ForwardAuthLayer::new(address, client(spec)?)
        .trust_forward_header(spec.trust_forward_header)
        .auth_response_headers(names(&spec.auth_response_headers)?)
        .auth_request_headers(names(&spec.auth_request_headers)?)
        .add_auth_cookies_to_response(spec.add_auth_cookies_to_response.clone())
        .forward_body(spec.forward_body, spec.max_body_size)
        .max_response_body_size(spec.max_response_body_size)
        .preserve_location_header(spec.preserve_location_header)
        .preserve_request_method(spec.preserve_request_method);
    if let Some(regex) = &spec.auth_response_headers_regex {
        layer = layer.auth_response_headers_regex(compile(regex)?);
    }
    if let Some(field) = &spec.header_field {
        layer = layer.header_field(names(std::slice::from_ref(field))?.remove(0));
    }
    if let Some(url) = &spec.auth_signin_url {
        let url =
            HeaderValue::from_str(url).map_err(|_| format!("invalid authSigninURL {url:?}"))?;
        layer = layer.auth_signin_url(url);
    }
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
