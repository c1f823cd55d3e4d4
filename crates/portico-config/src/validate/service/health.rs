//! A load balancer's `healthCheck` and `passiveHealthCheck`, and `sticky` (shared
//! with `weighted`).

use http::{HeaderName, HeaderValue, Method};

use crate::{
    model::{
        CookieSameSite, HealthCheckMode, HealthCheckSpec, PassiveHealthCheckSpec, QualifiedName,
        StickyCookieSpec,
    },
    raw::routing::{PassiveHealthCheck, ServerHealthCheck, Sticky},
};

use super::{lower, positive};

pub(super) fn active(
    path: &str,
    raw: &ServerHealthCheck,
    errors: &mut Vec<String>,
) -> HealthCheckSpec {
    let mut spec = HealthCheckSpec::default();
    match lower(raw.mode.as_deref()).as_deref() {
        None | Some("http") => {}
        Some("grpc") => spec.mode = HealthCheckMode::Grpc,
        Some(other) => errors.push(format!(
            "{path}.mode: unknown mode {other:?} (expected http or grpc)"
        )),
    }
    match lower(raw.scheme.as_deref()) {
        None => {}
        Some(scheme) if matches!(scheme.as_str(), "http" | "https" | "h2c") => {
            spec.scheme = Some(scheme);
        }
        Some(other) => errors.push(format!(
            "{path}.scheme: unknown scheme {other:?} (expected http, https or h2c)"
        )),
    }
    spec.path = nonempty(raw.path.as_deref());
    if let Some(method) = nonempty(raw.method.as_deref()) {
        let upper = method.to_ascii_uppercase();
        match Method::from_bytes(upper.as_bytes()) {
            Ok(_) => spec.method = upper,
            Err(_) => errors.push(format!("{path}.method: invalid method {method:?}")),
        }
    }
    match raw.status {
        None | Some(0) => {}
        Some(s @ 100..=599) => spec.status = u16::try_from(s).ok(),
        Some(other) => errors.push(format!(
            "{path}.status: must be between 100 and 599, found {other}"
        )),
    }
    match raw.port {
        None | Some(0) => {}
        Some(p @ 1..=65535) => spec.port = u16::try_from(p).ok(),
        Some(other) => errors.push(format!(
            "{path}.port: must be between 1 and 65535, found {other}"
        )),
    }
    spec.hostname = nonempty(raw.hostname.as_deref());
    for (name, value) in raw.headers.iter().flatten() {
        if HeaderName::from_bytes(name.as_bytes()).is_err() {
            errors.push(format!("{path}.headers: invalid header name {name:?}"));
        } else if HeaderValue::from_str(value).is_err() {
            errors.push(format!(
                "{path}.headers.{name}: invalid header value {value:?}"
            ));
        } else {
            spec.headers.insert(name.clone(), value.clone());
        }
    }
    spec.interval = positive(
        &format!("{path}.interval"),
        raw.interval.as_ref(),
        HealthCheckSpec::DEFAULT_INTERVAL,
        errors,
    );
    spec.unhealthy_interval = positive(
        &format!("{path}.unhealthyInterval"),
        raw.unhealthy_interval.as_ref(),
        spec.interval,
        errors,
    );
    spec.timeout = positive(
        &format!("{path}.timeout"),
        raw.timeout.as_ref(),
        HealthCheckSpec::DEFAULT_TIMEOUT,
        errors,
    );
    spec.follow_redirects = raw.follow_redirects.unwrap_or(true);
    spec
}

pub(super) fn passive(
    path: &str,
    raw: &PassiveHealthCheck,
    errors: &mut Vec<String>,
) -> PassiveHealthCheckSpec {
    let default = PassiveHealthCheckSpec::default();
    let failure_window = positive(
        &format!("{path}.failureWindow"),
        raw.failure_window.as_ref(),
        default.failure_window,
        errors,
    );
    let max_failed_attempts = match raw.max_failed_attempts {
        None => default.max_failed_attempts,
        Some(n) => match u32::try_from(n) {
            Ok(n) if n >= 1 => n,
            _ => {
                errors.push(format!(
                    "{path}.maxFailedAttempts: must be between 1 and {}, found {n}",
                    u32::MAX
                ));
                default.max_failed_attempts
            }
        },
    };
    PassiveHealthCheckSpec {
        failure_window,
        max_failed_attempts,
    }
}

/// `sticky`: `None` without a `cookie` (Traefik's only kind of stickiness).
pub(super) fn sticky(
    path: &str,
    raw: &Sticky,
    service: &QualifiedName,
    errors: &mut Vec<String>,
) -> Option<StickyCookieSpec> {
    let cookie = raw.cookie.as_ref()?;
    let path = format!("{path}.cookie");
    let mut spec = StickyCookieSpec::new(service);
    if let Some(name) = nonempty(cookie.name.as_deref()) {
        spec.name = StickyCookieSpec::sanitize_name(&name);
    }
    spec.secure = cookie.secure.unwrap_or(false);
    spec.http_only = cookie.http_only.unwrap_or(false);
    spec.same_site = match lower(cookie.same_site.as_deref()).as_deref() {
        None => None,
        Some("none") => Some(CookieSameSite::None),
        Some("lax") => Some(CookieSameSite::Lax),
        Some("strict") => Some(CookieSameSite::Strict),
        Some(other) => {
            errors.push(format!(
                "{path}.sameSite: unknown value {other:?} (expected none, lax or strict)"
            ));
            None
        }
    };
    spec.max_age = cookie.max_age.unwrap_or(0);
    if let Some(p) = &cookie.path {
        spec.path = p.trim().to_owned();
    }
    spec.domain = nonempty(cookie.domain.as_deref());
    Some(spec)
}

fn nonempty(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
