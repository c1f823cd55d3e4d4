//! One probe of one server: the request, redirects, the verdict.

use std::{error::Error, fmt, sync::Arc, time::Duration};

use http::{
    HeaderValue, Method, Request, StatusCode, Uri,
    header::{HOST, LOCATION},
    uri::PathAndQuery,
};
use http_body_util::BodyExt as _;
use portico_core::{Body, HttpRequest, ProxyError};
use portico_proxy::{Forwarder, Target};
use tokio::time::Instant;

use super::{
    ActiveHealthCheck, HealthCheckMode,
    grpc::{self, GrpcError},
};

/// Redirect hops a probe follows before failing (Go's client default).
const MAX_REDIRECTS: usize = 10;

/// Body bytes read after a passing probe so its connection can be reused.
const DRAIN_LIMIT: usize = 64 * 1024;

/// Sends probes for one balancer's active health check.
#[derive(Debug)]
pub(crate) struct Prober {
    forwarder: Forwarder,
    settings: ActiveHealthCheck,
}

/// Why a probe failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProbeError {
    /// No verdict within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The request could not be sent or answered.
    #[error("probe failed")]
    Forward(#[source] ProxyError),
    /// The answer's status is not the expected one.
    #[error("unexpected status {status}")]
    Status {
        /// The status received.
        status: StatusCode,
    },
    /// Redirects did not end within [`MAX_REDIRECTS`] hops.
    #[error("stopped after {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    /// A redirect's `Location` cannot be followed.
    #[error("cannot follow redirect to {location:?}")]
    BadRedirect {
        /// The `Location` header, lossily decoded.
        location: String,
    },
    /// The gRPC health answer is not `SERVING`.
    #[error(transparent)]
    Grpc(#[from] GrpcError),
}

/// Displays an error with its sources, `a: b: c`, for log lines.
#[derive(Debug)]
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn Error + 'static));

// === impl Prober ===

impl Prober {
    /// Probes go through `forwarder`, always sending their own `Host`.
    pub(crate) fn new(forwarder: Forwarder, settings: ActiveHealthCheck) -> Prober {
        Prober {
            forwarder: forwarder.pass_host_header(true),
            settings,
        }
    }

    pub(crate) fn settings(&self) -> &ActiveHealthCheck {
        &self.settings
    }

    /// Probes `target` once; `Ok` when it passes.
    pub(crate) async fn check(&self, target: &Arc<Target>) -> Result<(), ProbeError> {
        let timeout = self.settings.timeout;
        let deadline = Instant::now() + timeout;
        let verdict = match self.settings.mode {
            HealthCheckMode::Http => tokio::time::timeout_at(deadline, self.http(target)).await,
            HealthCheckMode::Grpc => tokio::time::timeout_at(deadline, self.grpc(target))
                .await
                .map(|r| r.map(|()| None)),
        };
        match verdict {
            Err(_) => Err(ProbeError::Timeout(timeout)),
            Ok(Err(error)) => Err(error),
            Ok(Ok(body)) => {
                if let Some(body) = body {
                    // Best effort, outside the verdict: a health endpoint that
                    // streams still passes.
                    let _ = tokio::time::timeout_at(deadline, drain(body)).await;
                }
                Ok(())
            }
        }
    }

    /// An HTTP probe, following redirects; on success, the body left to drain.
    async fn http(&self, target: &Arc<Target>) -> Result<Option<Body>, ProbeError> {
        let settings = &self.settings;
        let mut target = target.clone();
        let mut path = settings.path.clone();
        let mut method = settings.method.clone();
        let mut host = settings.hostname.clone();
        for hop in 0..=MAX_REDIRECTS {
            let request = self.request(&method, &path, host.as_ref(), &target);
            let response = self
                .forwarder
                .forward(request, &target)
                .await
                .map_err(ProbeError::Forward)?;
            let status = response.status();
            let location = response.headers().get(LOCATION);
            if let (true, true, Some(location)) =
                (settings.follow_redirects, is_redirect(status), location)
            {
                if hop == MAX_REDIRECTS {
                    return Err(ProbeError::TooManyRedirects);
                }
                let (next, next_path) =
                    resolve(&target, &path, location).ok_or_else(|| ProbeError::BadRedirect {
                        location: String::from_utf8_lossy(location.as_bytes()).into_owned(),
                    })?;
                if let Some(next) = next {
                    // As Go's client: a custom Host only survives relative redirects.
                    target = Arc::new(next);
                    host = None;
                }
                path = next_path;
                if status != StatusCode::TEMPORARY_REDIRECT
                    && status != StatusCode::PERMANENT_REDIRECT
                    && method != Method::GET
                    && method != Method::HEAD
                {
                    method = Method::GET;
                }
                continue;
            }
            let passes = match settings.expected_status {
                Some(expected) => status == expected,
                None => status.is_success() || status.is_redirection(),
            };
            return if passes {
                Ok(Some(response.into_body()))
            } else {
                Err(ProbeError::Status { status })
            };
        }
        Err(ProbeError::TooManyRedirects)
    }

    /// A gRPC health protocol probe.
    async fn grpc(&self, target: &Target) -> Result<(), ProbeError> {
        let mut request = grpc::request();
        self.add_headers(&mut request, self.settings.hostname.as_ref(), target);
        let response = self
            .forwarder
            .forward(request, target)
            .await
            .map_err(ProbeError::Forward)?;
        Ok(grpc::judge(response).await?)
    }

    fn request(
        &self,
        method: &Method,
        path: &PathAndQuery,
        host: Option<&HeaderValue>,
        target: &Target,
    ) -> HttpRequest {
        let mut request = Request::new(Body::empty());
        *request.method_mut() = method.clone();
        *request.uri_mut() = Uri::from(path.clone());
        self.add_headers(&mut request, host, target);
        request
    }

    /// The configured headers, then `Host` (the hostname setting or the target).
    fn add_headers(&self, request: &mut HttpRequest, host: Option<&HeaderValue>, target: &Target) {
        let headers = request.headers_mut();
        for (name, value) in &self.settings.headers {
            headers.append(name, value.clone());
        }
        let host = host
            .cloned()
            .or_else(|| HeaderValue::from_str(target.authority().as_str()).ok());
        if let Some(host) = host {
            headers.insert(HOST, host);
        }
    }
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Where a redirect from `path` on `target` goes: a new target when the location
/// is absolute, and the new path.
fn resolve(
    target: &Target,
    path: &PathAndQuery,
    location: &HeaderValue,
) -> Option<(Option<Target>, PathAndQuery)> {
    let location = location.to_str().ok()?.trim();
    let location = location.split_once('#').map_or(location, |(l, _)| l);
    if let Some(rest) = location.strip_prefix("//") {
        let scheme = target.url().split_once("://").map_or("http", |(s, _)| s);
        return absolute(&format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Some((None, location.parse().ok()?));
    }
    if location.contains("://") {
        return absolute(location);
    }
    // Relative to the current path's directory.
    let dir = path.path().rsplit_once('/').map_or("", |(dir, _)| dir);
    Some((None, format!("{dir}/{location}").parse().ok()?))
}

fn absolute(location: &str) -> Option<(Option<Target>, PathAndQuery)> {
    let uri: Uri = location.parse().ok()?;
    let (scheme, authority) = (uri.scheme_str()?, uri.authority()?);
    let target = Target::parse(&format!("{scheme}://{authority}")).ok()?;
    let path = uri
        .path_and_query()
        .filter(|pq| !pq.as_str().is_empty())
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    Some((Some(target), path))
}

/// Reads and drops up to [`DRAIN_LIMIT`] body bytes.
async fn drain(mut body: Body) {
    let mut read = 0;
    while let Some(Ok(frame)) = body.frame().await {
        read += frame.data_ref().map_or(0, |d| d.len());
        if read > DRAIN_LIMIT {
            break;
        }
    }
}

// === impl Chain ===

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test panics on the unexpected
mod tests {
    use super::*;

    fn resolved(
        from: &str,
        path: &str,
        location: &'static str,
    ) -> Option<(Option<String>, String)> {
        let target = Target::parse(from).unwrap();
        let path: PathAndQuery = path.parse().unwrap();
        resolve(&target, &path, &HeaderValue::from_static(location))
            .map(|(t, p)| (t.map(|t| t.url().to_owned()), p.as_str().to_owned()))
    }

    #[test]
    fn redirects_resolve_like_a_browser() {
        let same = |p: &str| Some((None, p.to_owned()));
        assert_eq!(resolved("http://a:1", "/h", "/ok?x=1"), same("/ok?x=1"));
        assert_eq!(resolved("http://a:1", "/x/h", "ok"), same("/x/ok"));
        assert_eq!(resolved("http://a:1", "/h", "ok#frag"), same("/ok"));
        assert_eq!(
            resolved("http://a:1", "/h", "http://b:2/z"),
            Some((Some("http://b:2".to_owned()), "/z".to_owned()))
        );
        assert_eq!(
            resolved("http://a:1", "/h", "//c:3"),
            Some((Some("http://c:3".to_owned()), "/".to_owned()))
        );
        assert_eq!(resolved("http://a:1", "/h", "ftp://b/"), None);
    }

    #[test]
    fn chains_show_every_source() {
        let error = ProbeError::Forward(ProxyError::UpstreamConnect {
            authority: "a:1".into(),
            source: "connection refused".into(),
        });
        assert_eq!(
            Chain(&error).to_string(),
            "probe failed: cannot connect to backend a:1: connection refused"
        );
    }
}
