//! `headers`.

use std::sync::Arc;

use http::{HeaderName, HeaderValue};
use portico_config::model::middleware::headers::{CorsSpec, HeadersSpec, SecuritySpec};
use portico_core::box_http_service;
use portico_middleware::headers::{Cors, HeadersLayer, Security};
use tower::Layer;

use super::{BuildContext, HttpLayer, strip_prefix_regex::compile};

type Pair = (HeaderName, Option<HeaderValue>);

fn pairs(list: &[(String, Option<String>)]) -> Result<Vec<Pair>, String> {
    list.iter()
        .map(|(name, value)| {
            let name = HeaderName::try_from(name.as_str())
                .map_err(|_| format!("invalid header name {name:?}"))?;
            let value = value
                .as_deref()
                .map(|v| {
                    HeaderValue::from_str(v).map_err(|_| format!("invalid header value {v:?}"))
                })
                .transpose()?;
            Ok((name, value))
        })
        .collect()
}

fn cors(spec: &CorsSpec) -> Result<Cors, String> {
    Ok(Cors {
        allow_credentials: spec.allow_credentials,
        allow_headers: spec.allow_headers.clone(),
        allow_methods: spec.allow_methods.clone(),
        allow_origins: spec.allow_origin_list.clone(),
        allow_origin_regexes: spec
            .allow_origin_list_regex
            .iter()
            .map(|p| compile(p))
            .collect::<Result<_, _>>()?,
        expose_headers: spec.expose_headers.clone(),
        max_age: spec.max_age,
        add_vary_header: spec.add_vary_header,
    })
}

fn security(spec: &SecuritySpec) -> Security {
    Security {
        allowed_hosts: spec.allowed_hosts.clone(),
        hosts_proxy_headers: spec.hosts_proxy_headers.clone(),
        ssl_proxy_headers: spec.ssl_proxy_headers.clone(),
        ssl_redirect: spec.ssl_redirect,
        ssl_temporary_redirect: spec.ssl_temporary_redirect,
        ssl_host: spec.ssl_host.clone(),
        ssl_force_host: spec.ssl_force_host,
        sts_seconds: spec.sts_seconds,
        sts_include_subdomains: spec.sts_include_subdomains,
        sts_preload: spec.sts_preload,
        force_sts_header: spec.force_sts_header,
        frame_deny: spec.frame_deny,
        custom_frame_options_value: spec.custom_frame_options_value.clone(),
        content_type_nosniff: spec.content_type_nosniff,
        browser_xss_filter: spec.browser_xss_filter,
        custom_browser_xss_value: spec.custom_browser_xss_value.clone(),
        content_security_policy: spec.content_security_policy.clone(),
        content_security_policy_report_only: spec.content_security_policy_report_only.clone(),
        public_key: spec.public_key.clone(),
        referrer_policy: spec.referrer_policy.clone(),
        permissions_policy: spec.permissions_policy.clone(),
        feature_policy: spec.feature_policy.clone(),
        is_development: spec.is_development,
    }
}

pub(super) fn build(spec: &HeadersSpec, _ctx: &BuildContext) -> Result<HttpLayer, String> {
    let mut layer = HeadersLayer::new();
    for (name, value) in pairs(&spec.custom_request_headers)? {
        layer = layer.request_header(name, value);
    }
    for (name, value) in pairs(&spec.custom_response_headers)? {
        layer = layer.response_header(name, value);
    }
    if let Some(c) = &spec.cors {
        layer = layer.cors(cors(c)?);
    }
    if let Some(s) = &spec.security {
        layer = layer.security(security(s));
    }
    Ok(Arc::new(move |inner| box_http_service(layer.layer(inner))))
}
