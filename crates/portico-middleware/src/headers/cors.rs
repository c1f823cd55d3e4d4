//! CORS as Traefik's `headers` middleware does it (not `tower_http::cors`, whose
//! origin matching, preflight detection and credential handling differ).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use regex::Regex;

/// CORS settings (`accessControl*`, `addVaryHeader`).
///
/// Origins match exactly, or any origin with `*` (answered as `*`, or as the
/// request's origin when credentials are allowed), or by one of the regexes
/// (unanchored, answered with the request's origin).
#[derive(Clone, Debug, Default)]
pub struct Cors {
    /// `Access-Control-Allow-Credentials: true`.
    pub allow_credentials: bool,
    /// `Access-Control-Allow-Headers` on preflights; `*` with credentials echoes
    /// the requested headers.
    pub allow_headers: Vec<String>,
    /// `Access-Control-Allow-Methods` on preflights; `*` with credentials echoes
    /// the requested method.
    pub allow_methods: Vec<String>,
    /// Allowed origins (`*` for any).
    pub allow_origins: Vec<String>,
    /// Allowed origins, as regular expressions.
    pub allow_origin_regexes: Vec<Regex>,
    /// `Access-Control-Expose-Headers` (left out for `*` with credentials).
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age` on preflights, in seconds.
    pub max_age: Option<i64>,
    /// Add `Origin` to `Vary` on responses.
    pub add_vary_header: bool,
}

// === impl Cors ===

impl Cors {
    /// The value answered in `Access-Control-Allow-Origin` for `origin`, if allowed.
    pub fn match_origin(&self, origin: &str) -> Option<String> {
        for item in &self.allow_origins {
            if item == origin {
                return Some(item.clone());
            }
            if item == "*" {
                return Some(if self.allow_credentials {
                    origin.to_owned()
                } else {
                    item.clone()
                });
            }
        }
        self.allow_origin_regexes
            .iter()
            .any(|r| r.is_match(origin))
            .then(|| origin.to_owned())
    }

    fn expose_value(&self) -> Option<HeaderValue> {
        if self.expose_headers.is_empty()
            || (self.allow_credentials && self.expose_headers.iter().any(|h| h == "*"))
        {
            return None;
        }
        HeaderValue::from_str(&self.expose_headers.join(",")).ok()
    }

    /// The answer to a preflight request, or `None` when `request` is not one.
    pub(super) fn preflight<B, R: From<Bytes>>(&self, request: &Request<B>) -> Option<Response<R>> {
        if request.method() != Method::OPTIONS {
            return None;
        }
        let headers = request.headers();
        let requested_method = non_empty(headers.get(header::ACCESS_CONTROL_REQUEST_METHOD))?;
        let origin = non_empty(headers.get(header::ORIGIN))?;

        let mut response = Response::new(R::from(Bytes::new()));
        *response.status_mut() = StatusCode::OK;
        let out = response.headers_mut();
        out.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        if self.allow_credentials {
            out.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if self.allow_credentials && self.allow_headers.iter().any(|h| h == "*") {
            if let Some(requested) = non_empty(headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS))
            {
                out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
            }
        } else if let Some(v) = joined(&self.allow_headers) {
            out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if self.allow_credentials && self.allow_methods.iter().any(|m| m == "*") {
            out.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                requested_method.clone(),
            );
        } else if let Some(v) = joined(&self.allow_methods) {
            out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        if let Some(allowed) = origin
            .to_str()
            .ok()
            .and_then(|o| self.match_origin(o))
            .and_then(|o| HeaderValue::from_str(&o).ok())
        {
            out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        }
        if let Some(max_age) = self.max_age {
            out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(max_age));
        }
        if let Some(expose) = self.expose_value() {
            out.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose);
        }
        Some(response)
    }

    /// Adds the CORS headers to a response to a request from `origin`.
    pub(super) fn decorate(&self, out: &mut HeaderMap, origin: Option<&HeaderValue>) {
        let origin = origin.and_then(|o| o.to_str().ok()).unwrap_or_default();
        if let Some(allowed) = self
            .match_origin(origin)
            .and_then(|o| HeaderValue::from_str(&o).ok())
        {
            out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        }
        if self.allow_credentials {
            out.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if let Some(expose) = self.expose_value() {
            out.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose);
        }
        if self.add_vary_header {
            let vary = out
                .get(header::VARY)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            if vary != "Origin" {
                let value = if vary.is_empty() {
                    "Origin".to_owned()
                } else {
                    format!("{vary},Origin")
                };
                if let Ok(value) = HeaderValue::from_str(&value) {
                    out.insert(header::VARY, value);
                }
            }
        }
    }
}

fn non_empty(value: Option<&HeaderValue>) -> Option<&HeaderValue> {
    value.filter(|v| !v.is_empty())
}

fn joined(items: &[String]) -> Option<HeaderValue> {
    let text = items.join(",");
    if text.is_empty() {
        return None;
    }
    HeaderValue::from_str(&text).ok()
}
