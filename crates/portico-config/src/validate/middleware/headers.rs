//! `headers` validation.

use std::collections::BTreeMap;

use super::strip_prefix_regex::regex_error;
use crate::{
    model::middleware::headers::{CorsSpec, HeadersSpec, SecuritySpec},
    raw::routing::Headers,
};

/// Why `name` cannot be a header name.
pub(super) fn header_name_error(name: &str) -> Option<String> {
    http::HeaderName::try_from(name)
        .is_err()
        .then(|| format!("invalid header name {name:?}"))
}

/// Why `value` cannot be a header value.
pub(super) fn header_value_error(value: &str) -> Option<String> {
    http::HeaderValue::from_str(value)
        .is_err()
        .then(|| format!("invalid header value {value:?}"))
}

/// Checks `name: value` pairs (an empty value deletes the header).
fn custom(
    path: &str,
    map: Option<&BTreeMap<String, String>>,
    errors: &mut Vec<String>,
) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for (name, value) in map.into_iter().flatten() {
        if let Some(e) = header_name_error(name) {
            errors.push(format!("{path}: {e}"));
        }
        if let Some(e) = header_value_error(value) {
            errors.push(format!("{path}.{name}: {e}"));
        }
        out.push((name.clone(), (!value.is_empty()).then(|| value.clone())));
    }
    out
}

fn names(path: &str, list: &[String], errors: &mut Vec<String>) {
    for (i, name) in list.iter().enumerate() {
        if let Some(e) = header_name_error(name) {
            errors.push(format!("{path}[{i}]: {e}"));
        }
    }
}

fn value(path: &str, text: &str, errors: &mut Vec<String>) {
    if let Some(e) = header_value_error(text) {
        errors.push(format!("{path}: {e}"));
    }
}

fn cors(path: &str, raw: &Headers, errors: &mut Vec<String>) -> Option<CorsSpec> {
    let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default();
    let spec = CorsSpec {
        allow_credentials: raw.access_control_allow_credentials.unwrap_or(false),
        allow_headers: list(&raw.access_control_allow_headers),
        allow_methods: list(&raw.access_control_allow_methods),
        allow_origin_list: list(&raw.access_control_allow_origin_list),
        allow_origin_list_regex: list(&raw.access_control_allow_origin_list_regex),
        expose_headers: list(&raw.access_control_expose_headers),
        max_age: raw.access_control_max_age.filter(|a| *a != 0),
        add_vary_header: raw.add_vary_header.unwrap_or(false),
    };
    if spec == CorsSpec::default() {
        return None;
    }
    value(
        &format!("{path}.accessControlAllowHeaders"),
        &spec.allow_headers.join(","),
        errors,
    );
    value(
        &format!("{path}.accessControlAllowMethods"),
        &spec.allow_methods.join(","),
        errors,
    );
    value(
        &format!("{path}.accessControlExposeHeaders"),
        &spec.expose_headers.join(","),
        errors,
    );
    for (i, origin) in spec.allow_origin_list.iter().enumerate() {
        value(
            &format!("{path}.accessControlAllowOriginList[{i}]"),
            origin,
            errors,
        );
    }
    for (i, pattern) in spec.allow_origin_list_regex.iter().enumerate() {
        if let Some(e) = regex_error(pattern) {
            errors.push(format!(
                "{path}.accessControlAllowOriginListRegex[{i}]: {e}"
            ));
        }
    }
    Some(spec)
}

fn security(path: &str, raw: &Headers, errors: &mut Vec<String>) -> Option<SecuritySpec> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let flag = |v: Option<bool>| v.unwrap_or(false);
    let sts_seconds = match raw.sts_seconds.unwrap_or(0) {
        s if s < 0 => {
            errors.push(format!("{path}.stsSeconds: must not be negative, got {s}"));
            0
        }
        s => s.unsigned_abs(),
    };
    let spec = SecuritySpec {
        allowed_hosts: raw.allowed_hosts.clone().unwrap_or_default(),
        hosts_proxy_headers: raw.hosts_proxy_headers.clone().unwrap_or_default(),
        ssl_proxy_headers: raw
            .ssl_proxy_headers
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        ssl_redirect: flag(raw.ssl_redirect),
        ssl_temporary_redirect: flag(raw.ssl_temporary_redirect),
        ssl_host: text(&raw.ssl_host),
        ssl_force_host: flag(raw.ssl_force_host),
        sts_seconds,
        sts_include_subdomains: flag(raw.sts_include_subdomains),
        sts_preload: flag(raw.sts_preload),
        force_sts_header: flag(raw.force_sts_header),
        frame_deny: flag(raw.frame_deny),
        custom_frame_options_value: text(&raw.custom_frame_options_value),
        content_type_nosniff: flag(raw.content_type_nosniff),
        browser_xss_filter: flag(raw.browser_xss_filter),
        custom_browser_xss_value: text(&raw.custom_browser_xss_value),
        content_security_policy: text(&raw.content_security_policy),
        content_security_policy_report_only: text(&raw.content_security_policy_report_only),
        public_key: text(&raw.public_key),
        referrer_policy: text(&raw.referrer_policy),
        permissions_policy: text(&raw.permissions_policy),
        feature_policy: text(&raw.feature_policy),
        is_development: flag(raw.is_development),
    };
    if spec == SecuritySpec::default() {
        return None;
    }
    names(
        &format!("{path}.hostsProxyHeaders"),
        &spec.hosts_proxy_headers,
        errors,
    );
    for (name, v) in &spec.ssl_proxy_headers {
        if let Some(e) = header_name_error(name) {
            errors.push(format!("{path}.sslProxyHeaders: {e}"));
        }
        value(&format!("{path}.sslProxyHeaders.{name}"), v, errors);
    }
    for (option, v) in [
        ("customFrameOptionsValue", &spec.custom_frame_options_value),
        ("customBrowserXSSValue", &spec.custom_browser_xss_value),
        ("contentSecurityPolicy", &spec.content_security_policy),
        (
            "contentSecurityPolicyReportOnly",
            &spec.content_security_policy_report_only,
        ),
        ("publicKey", &spec.public_key),
        ("referrerPolicy", &spec.referrer_policy),
        ("permissionsPolicy", &spec.permissions_policy),
        ("featurePolicy", &spec.feature_policy),
    ] {
        value(&format!("{path}.{option}"), v, errors);
    }
    Some(spec)
}

pub(super) fn validate(
    path: &str,
    raw: Option<&Headers>,
    _provider: &str,
) -> Result<HeadersSpec, Vec<String>> {
    let raw = raw.cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let spec = HeadersSpec {
        custom_request_headers: custom(
            &format!("{path}.customRequestHeaders"),
            raw.custom_request_headers.as_ref(),
            &mut errors,
        ),
        custom_response_headers: custom(
            &format!("{path}.customResponseHeaders"),
            raw.custom_response_headers.as_ref(),
            &mut errors,
        ),
        cors: cors(path, &raw, &mut errors).map(Box::new),
        security: security(path, &raw, &mut errors).map(Box::new),
    };
    if spec == HeadersSpec::default() && errors.is_empty() {
        errors.push(format!(
            "{path}: headers configuration not valid: no custom, CORS or security header option is set"
        ));
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_headers_cors_and_security_are_split() {
        let raw = Headers {
            custom_request_headers: Some(BTreeMap::from([
                ("X-Script-Name".into(), "test".into()),
                ("X-Drop".into(), String::new()),
            ])),
            access_control_allow_origin_list: Some(vec!["https://a".into()]),
            access_control_max_age: Some(100),
            frame_deny: Some(true),
            sts_seconds: Some(60),
            ..Headers::default()
        };
        let spec = validate("m", Some(&raw), "file").unwrap();
        assert_eq!(
            spec.custom_request_headers,
            [
                ("X-Drop".to_owned(), None),
                ("X-Script-Name".to_owned(), Some("test".to_owned()))
            ]
        );
        assert_eq!(spec.cors.unwrap().max_age, Some(100));
        let security = spec.security.unwrap();
        assert!(security.frame_deny);
        assert_eq!(security.sts_seconds, 60);
    }

    #[test]
    fn empty_configuration_is_refused() {
        assert_eq!(
            validate("m", Some(&Headers::default()), "file").unwrap_err(),
            [
                "m: headers configuration not valid: no custom, CORS or security header option is set"
            ]
        );
    }

    #[test]
    fn bad_names_values_regexes_and_numbers_are_reported() {
        let raw = Headers {
            custom_response_headers: Some(BTreeMap::from([("Bad Name".into(), "v\n".into())])),
            access_control_allow_origin_list_regex: Some(vec!["(".into()]),
            hosts_proxy_headers: Some(vec!["X Host".into()]),
            sts_seconds: Some(-1),
            ..Headers::default()
        };
        let errors = validate("m", Some(&raw), "file").unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e == "m.customResponseHeaders: invalid header name \"Bad Name\"")
        );
        assert!(errors.iter().any(|e| {
            e.starts_with("m.accessControlAllowOriginListRegex[0]: invalid regular expression")
        }));
        assert!(
            errors
                .iter()
                .any(|e| e == "m.hostsProxyHeaders[0]: invalid header name \"X Host\"")
        );
        assert!(
            errors
                .iter()
                .any(|e| e == "m.stsSeconds: must not be negative, got -1")
        );
    }
}
