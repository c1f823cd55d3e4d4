//! The security part of the `headers` middleware (Traefik delegates it to
//! `unrolled/secure`): host allow-list, SSL redirect, security response headers.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, header};

use crate::redirect_regex::{is_tls, request_host};

/// Security settings. Every field is off (empty, zero, `false`) by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Security {
    /// Hosts allowed in `Host` (case-insensitive, port included); others get
    /// `500 Bad Host`. Empty: any host.
    pub allowed_hosts: Vec<String>,
    /// Headers that may carry the original host, tried in order before `Host`.
    pub hosts_proxy_headers: Vec<String>,
    /// `(header, value)` pairs meaning the request came over HTTPS.
    pub ssl_proxy_headers: Vec<(String, String)>,
    /// Deprecated: redirect plain-HTTP requests to HTTPS (`301`, or `307` when
    /// `ssl_temporary_redirect`).
    pub ssl_redirect: bool,
    /// Deprecated: use `307` for the SSL redirects.
    pub ssl_temporary_redirect: bool,
    /// Deprecated: the host SSL redirects go to (default: the request's host).
    pub ssl_host: String,
    /// Deprecated: redirect to `ssl_host` whenever the host differs.
    pub ssl_force_host: bool,
    /// `Strict-Transport-Security: max-age=<n>`; 0 sends none.
    pub sts_seconds: u64,
    /// Add `; includeSubDomains` to STS.
    pub sts_include_subdomains: bool,
    /// Add `; preload` to STS.
    pub sts_preload: bool,
    /// Send STS over plain HTTP too.
    pub force_sts_header: bool,
    /// `X-Frame-Options: DENY`.
    pub frame_deny: bool,
    /// `X-Frame-Options` value (wins over `frame_deny`).
    pub custom_frame_options_value: String,
    /// `X-Content-Type-Options: nosniff`.
    pub content_type_nosniff: bool,
    /// `X-XSS-Protection: 1; mode=block`.
    pub browser_xss_filter: bool,
    /// `X-XSS-Protection` value (wins over `browser_xss_filter`).
    pub custom_browser_xss_value: String,
    /// `Content-Security-Policy`.
    pub content_security_policy: String,
    /// `Content-Security-Policy-Report-Only`.
    pub content_security_policy_report_only: String,
    /// `Public-Key-Pins`, sent over HTTPS only.
    pub public_key: String,
    /// `Referrer-Policy`.
    pub referrer_policy: String,
    /// `Permissions-Policy`.
    pub permissions_policy: String,
    /// Deprecated: `Feature-Policy`.
    pub feature_policy: String,
    /// Skip the host check, SSL redirect, STS and HPKP (development setups).
    pub is_development: bool,
}

/// [`Security`] with header names and values parsed once.
#[derive(Clone, Debug)]
pub(super) struct Compiled {
    allowed_hosts: Vec<String>,
    hosts_proxy_headers: Vec<HeaderName>,
    ssl_proxy_headers: Vec<(HeaderName, String)>,
    ssl_redirect: bool,
    ssl_redirect_status: StatusCode,
    ssl_host: String,
    ssl_force_host: bool,
    is_development: bool,
    sts: Option<HeaderValue>,
    force_sts: bool,
    public_key: Option<HeaderValue>,
    always: Vec<(HeaderName, HeaderValue)>,
}

fn value(text: &str) -> Option<HeaderValue> {
    if text.is_empty() {
        return None;
    }
    HeaderValue::from_str(text).ok()
}

// === impl Compiled ===

impl Compiled {
    pub(super) fn new(s: Security) -> Compiled {
        let mut always = Vec::new();
        let mut push = |name: &'static str, v: Option<HeaderValue>| {
            if let Some(v) = v {
                always.push((HeaderName::from_static(name), v));
            }
        };
        push(
            "x-frame-options",
            value(&s.custom_frame_options_value)
                .or_else(|| s.frame_deny.then(|| HeaderValue::from_static("DENY"))),
        );
        push(
            "x-content-type-options",
            s.content_type_nosniff
                .then(|| HeaderValue::from_static("nosniff")),
        );
        push(
            "x-xss-protection",
            value(&s.custom_browser_xss_value).or_else(|| {
                s.browser_xss_filter
                    .then(|| HeaderValue::from_static("1; mode=block"))
            }),
        );
        push("content-security-policy", value(&s.content_security_policy));
        push(
            "content-security-policy-report-only",
            value(&s.content_security_policy_report_only),
        );
        push("referrer-policy", value(&s.referrer_policy));
        push("feature-policy", value(&s.feature_policy));
        push("permissions-policy", value(&s.permissions_policy));

        let sts = (s.sts_seconds > 0).then(|| {
            let mut text = format!("max-age={}", s.sts_seconds);
            if s.sts_include_subdomains {
                text.push_str("; includeSubDomains");
            }
            if s.sts_preload {
                text.push_str("; preload");
            }
            HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("max-age=0"))
        });
        Compiled {
            allowed_hosts: s.allowed_hosts,
            hosts_proxy_headers: s
                .hosts_proxy_headers
                .iter()
                .filter_map(|h| HeaderName::try_from(h.as_str()).ok())
                .collect(),
            ssl_proxy_headers: s
                .ssl_proxy_headers
                .iter()
                .filter_map(|(h, v)| Some((HeaderName::try_from(h.as_str()).ok()?, v.clone())))
                .collect(),
            ssl_redirect: s.ssl_redirect,
            ssl_redirect_status: if s.ssl_temporary_redirect {
                StatusCode::TEMPORARY_REDIRECT
            } else {
                StatusCode::MOVED_PERMANENTLY
            },
            ssl_host: s.ssl_host,
            ssl_force_host: s.ssl_force_host,
            is_development: s.is_development,
            sts,
            force_sts: s.force_sts_header,
            public_key: value(&s.public_key),
            always,
        }
    }

    /// Whether `request` counts as HTTPS.
    fn is_ssl<B>(&self, request: &Request<B>) -> bool {
        request.uri().scheme_str() == Some("https")
            || is_tls(request)
            || self.ssl_proxy_headers.iter().any(|(name, expected)| {
                request
                    .headers()
                    .get(name)
                    .is_some_and(|v| v.as_bytes() == expected.as_bytes())
            })
    }

    /// Checks `request`: `Ok(is_ssl)` to go on, or the answer to send instead.
    pub(super) fn check<B, R: From<Bytes>>(
        &self,
        request: &Request<B>,
    ) -> Result<bool, Response<R>> {
        let host = self
            .hosts_proxy_headers
            .iter()
            .find_map(|name| {
                request
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| request_host(request));

        if !self.allowed_hosts.is_empty()
            && !self.is_development
            && !self
                .allowed_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&host))
        {
            tracing::debug!(%host, "headers: host not allowed");
            let mut response = Response::new(R::from(Bytes::from_static(b"Bad Host\n")));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            return Err(response);
        }

        let ssl = self.is_ssl(request);
        if self.ssl_redirect && !ssl && !self.is_development {
            let target = if self.ssl_host.is_empty() {
                &host
            } else {
                &self.ssl_host
            };
            return Err(self.redirect(request, target));
        }
        if self.ssl_force_host {
            let target = if self.ssl_host.is_empty() {
                &host
            } else {
                &self.ssl_host
            };
            if *target != host {
                return Err(self.redirect(request, target));
            }
        }
        Ok(ssl)
    }

    fn redirect<B, R: From<Bytes>>(&self, request: &Request<B>, host: &str) -> Response<R> {
        let path = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/");
        let url = format!("https://{host}{path}");
        let status = self.ssl_redirect_status;
        let body = if request.method() == Method::GET {
            format!(
                "<a href=\"{url}\">{}</a>.\n\n",
                status.canonical_reason().unwrap_or_default()
            )
        } else {
            String::new()
        };
        let html = !body.is_empty();
        let mut response = Response::new(R::from(Bytes::from(body)));
        *response.status_mut() = status;
        if let Ok(location) = HeaderValue::from_str(&url) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        if html {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
        }
        response
    }

    /// Adds the security headers to a response (`ssl`: the request was HTTPS).
    pub(super) fn decorate(&self, out: &mut HeaderMap, ssl: bool) {
        if ssl
            && !self.ssl_host.is_empty()
            && let Some(location) = out.get(header::LOCATION).and_then(|l| l.to_str().ok())
        {
            let plain = format!("http://{}", self.ssl_host);
            if (location == plain || location.starts_with(&format!("{plain}/")))
                && let Ok(fixed) = HeaderValue::from_str(&location.replacen("http:", "https:", 1))
            {
                out.insert(header::LOCATION, fixed);
            }
        }
        if let Some(sts) = &self.sts
            && (ssl || self.force_sts)
            && !self.is_development
        {
            out.insert(header::STRICT_TRANSPORT_SECURITY, sts.clone());
        }
        for (name, value) in &self.always {
            out.insert(name.clone(), value.clone());
        }
        if let Some(pins) = &self.public_key
            && ssl
            && !self.is_development
        {
            out.insert(HeaderName::from_static("public-key-pins"), pins.clone());
        }
    }
}
