//! `forwardAuth` validation.

use super::{
    headers::{header_name_error, header_value_error},
    strip_prefix_regex::regex_error,
};
use crate::{
    model::middleware::forward_auth::{ForwardAuthSpec, ForwardAuthTls},
    raw::routing::ForwardAuth,
};

/// A byte limit where `-1` (or nothing) means none.
fn limit(path: &str, value: Option<i64>, errors: &mut Vec<String>) -> Option<u64> {
    match value {
        None | Some(-1) => None,
        Some(v) if v < 0 => {
            errors.push(format!(
                "{path}: must be -1 (no limit) or a size in bytes, got {v}"
            ));
            None
        }
        Some(v) => Some(v.unsigned_abs()),
    }
}

fn names(path: &str, list: &[String], errors: &mut Vec<String>) {
    for (i, name) in list.iter().enumerate() {
        if let Some(e) = header_name_error(name) {
            errors.push(format!("{path}[{i}]: {e}"));
        }
    }
}

fn address_error(address: &str) -> Option<String> {
    if address.is_empty() {
        return Some("an authentication server address is required".to_owned());
    }
    match address.parse::<http::Uri>() {
        Ok(uri)
            if matches!(uri.scheme_str(), Some("http" | "https")) && uri.authority().is_some() =>
        {
            None
        }
        _ => Some(format!(
            "invalid address {address:?}: expected an http:// or https:// URL"
        )),
    }
}

pub(super) fn validate(
    path: &str,
    raw: Option<&ForwardAuth>,
    _provider: &str,
) -> Result<ForwardAuthSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let address = raw.address.clone().unwrap_or_default();
    if let Some(e) = address_error(&address) {
        errors.push(format!("{path}.address: {e}"));
    }
    let tls = raw.tls.as_ref().map(|t| {
        Box::new(ForwardAuthTls {
            ca: t.ca.clone().filter(|s| !s.is_empty()),
            cert: t.cert.clone().filter(|s| !s.is_empty()),
            key: t.key.clone().filter(|s| !s.is_empty()),
            insecure_skip_verify: t.insecure_skip_verify.unwrap_or(false),
        })
    });
    if let Some(t) = &tls
        && t.cert.is_some() != t.key.is_some()
    {
        errors.push(format!("{path}.tls: cert and key must be given together"));
    }
    let regex = raw
        .auth_response_headers_regex
        .clone()
        .filter(|r| !r.is_empty());
    if let Some(e) = regex.as_deref().and_then(regex_error) {
        errors.push(format!("{path}.authResponseHeadersRegex: {e}"));
    }
    let auth_response_headers = raw.auth_response_headers.clone().unwrap_or_default();
    names(
        &format!("{path}.authResponseHeaders"),
        &auth_response_headers,
        &mut errors,
    );
    let auth_request_headers = raw.auth_request_headers.clone().unwrap_or_default();
    names(
        &format!("{path}.authRequestHeaders"),
        &auth_request_headers,
        &mut errors,
    );
    let header_field = raw.header_field.clone().filter(|h| !h.is_empty());
    if let Some(e) = header_field.as_deref().and_then(header_name_error) {
        errors.push(format!("{path}.headerField: {e}"));
    }
    let max_body_size = limit(
        &format!("{path}.maxBodySize"),
        raw.max_body_size,
        &mut errors,
    );
    let max_response_body_size = limit(
        &format!("{path}.maxResponseBodySize"),
        raw.max_response_body_size,
        &mut errors,
    );
    let auth_signin_url = raw.auth_signin_url.clone().filter(|u| !u.is_empty());
    if let Some(e) = auth_signin_url.as_deref().and_then(header_value_error) {
        errors.push(format!("{path}.authSigninURL: {e}"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ForwardAuthSpec {
        address,
        tls,
        trust_forward_header: raw.trust_forward_header.unwrap_or(false),
        auth_response_headers,
        auth_response_headers_regex: regex,
        auth_request_headers,
        add_auth_cookies_to_response: raw.add_auth_cookies_to_response.unwrap_or_default(),
        header_field,
        forward_body: raw.forward_body.unwrap_or(false),
        max_body_size,
        max_response_body_size,
        preserve_location_header: raw.preserve_location_header.unwrap_or(false),
        preserve_request_method: raw.preserve_request_method.unwrap_or(false),
        auth_signin_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::ClientTls;

    #[test]
    fn defaults() {
        let raw = ForwardAuth {
            address: Some("https://auth.example.com/verify".into()),
            ..ForwardAuth::default()
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert_eq!(spec.max_body_size, None);
        assert!(!spec.trust_forward_header && !spec.forward_body);
        assert_eq!(spec.tls, None);
    }

    #[test]
    fn every_problem_is_reported() {
        let raw = ForwardAuth {
            address: Some("auth.local:9000".into()),
            tls: Some(ClientTls {
                cert: Some("/cert.pem".into()),
                ..ClientTls::default()
            }),
            auth_response_headers_regex: Some("^X-(".into()),
            auth_response_headers: Some(vec!["X Bad".into()]),
            max_body_size: Some(-2),
            ..ForwardAuth::default()
        };
        let errors = validate("m", Some(&raw), "file").unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert_eq!(
            errors[0],
            "m.address: invalid address \"auth.local:9000\": expected an http:// or https:// URL"
        );
        assert_eq!(errors[1], "m.tls: cert and key must be given together");
        assert!(errors[2].starts_with("m.authResponseHeadersRegex: invalid regular expression"));
        assert_eq!(
            errors[3],
            "m.authResponseHeaders[0]: invalid header name \"X Bad\""
        );
        assert_eq!(
            errors[4],
            "m.maxBodySize: must be -1 (no limit) or a size in bytes, got -2"
        );
        assert_eq!(
            validate("m", Some(&ForwardAuth::default()), "file").unwrap_err(),
            ["m.address: an authentication server address is required"]
        );
    }

    #[test]
    fn sizes() {
        let raw = ForwardAuth {
            address: Some("http://a/".into()),
            max_body_size: Some(0),
            max_response_body_size: Some(4096),
            ..ForwardAuth::default()
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert_eq!(
            (spec.max_body_size, spec.max_response_body_size),
            (Some(0), Some(4096))
        );
    }
}
