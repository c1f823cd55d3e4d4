//! Traefik's `forwardAuth` middleware: asks an authentication server about each
//! request before it goes on.
//!
//! For every request, a `GET` (or the request's own method with
//! `preserve_request_method`) is sent to the configured address with the client's
//! headers (all of them, or only `auth_request_headers`; hop-by-hop headers
//! removed) and Traefik's `X-Forwarded-For` (the client), `X-Forwarded-Method`,
//! `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Uri`. The client's own
//! values of those headers are used instead only with `trust_forward_header`.
//! With `forward_body`, the request body is read (up to `max_body_size`, `401`
//! beyond) and sent too; the request then goes on with the same bytes.
//!
//! - A `2xx` answer lets the request through: the headers named in
//!   `auth_response_headers`, or matching `auth_response_headers_regex` (matched
//!   against Go's canonical names, `X-Auth-User`), are copied from the answer onto
//!   the request, replacing the client's. Cookies named in
//!   `add_auth_cookies_to_response` are copied from the answer to the response,
//!   replacing the backend's cookies of the same name.
//! - Any other answer is returned to the client as it is (status, headers without
//!   hop-by-hop ones, body), with a relative `Location` made absolute against the
//!   authentication address unless `preserve_location_header`.
//! - The authentication server unreachable, or slower than 30 s: `500`.
//!
//! The client is [`AuthClient`]: pooled, HTTP/1.1 and HTTP/2, `http` and `https`
//! (with [`ClientTls`]: CA, client certificate, `insecureSkipVerify`).
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use http::HeaderName;
//! use portico_middleware::forward_auth::{AuthClient, ForwardAuthLayer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let layer = ForwardAuthLayer::new("http://127.0.0.1:9091/verify".parse().unwrap(), AuthClient::new())
//!     .auth_response_headers(vec![HeaderName::from_static("x-auth-user")])
//!     .trust_forward_header(false);
//! let app: Router = Router::new().route("/", get(|| async { "secret" })).layer(layer);
//! # let _ = app;
//! # }
//! ```

mod client;
mod exchange;

use std::{
    collections::HashSet,
    sync::Arc,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode, Uri, header};
use portico_core::Body;
use regex::Regex;
use tower::{Layer, Service};

pub use self::client::{AuthClient, ClientTls, ClientTlsError};
pub(crate) use self::exchange::canonical_key;
use self::exchange::{
    ReadError, auth_method, auth_request_headers, cookie_name, read_limited, remove_hop_headers,
    resolve_location,
};
use crate::basic_auth::{AuthenticatedUser, BoxResponseFuture};

/// Delegates authentication to a server; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct ForwardAuthLayer {
    settings: Arc<Settings>,
    client: AuthClient,
}

#[derive(Clone, Debug)]
struct Settings {
    address: Uri,
    trust_forward_header: bool,
    auth_response_headers: Vec<HeaderName>,
    auth_response_headers_regex: Option<Regex>,
    auth_request_headers: Vec<HeaderName>,
    add_auth_cookies_to_response: HashSet<String>,
    header_field: Option<HeaderName>,
    forward_body: bool,
    max_body_size: Option<u64>,
    max_response_body_size: Option<u64>,
    preserve_location_header: bool,
    preserve_request_method: bool,
    auth_signin_url: Option<HeaderValue>,
}

/// The service made by [`ForwardAuthLayer`].
#[derive(Clone, Debug)]
pub struct ForwardAuth<S> {
    inner: S,
    settings: Arc<Settings>,
    client: AuthClient,
}

// === impl ForwardAuthLayer ===

impl ForwardAuthLayer {
    /// Asks `address` through `client`; every option at Traefik's default.
    pub fn new(address: Uri, client: AuthClient) -> Self {
        ForwardAuthLayer {
            settings: Arc::new(Settings {
                address,
                trust_forward_header: false,
                auth_response_headers: Vec::new(),
                auth_response_headers_regex: None,
                auth_request_headers: Vec::new(),
                add_auth_cookies_to_response: HashSet::new(),
                header_field: None,
                forward_body: false,
                max_body_size: None,
                max_response_body_size: None,
                preserve_location_header: false,
                preserve_request_method: false,
                auth_signin_url: None,
            }),
            client,
        }
    }

    fn settings(&mut self) -> &mut Settings {
        Arc::make_mut(&mut self.settings)
    }

    /// Use the client's `X-Forwarded-*` values (deprecated in Traefik).
    pub fn trust_forward_header(mut self, trust: bool) -> Self {
        self.settings().trust_forward_header = trust;
        self
    }

    /// Headers copied from a `2xx` answer onto the request.
    pub fn auth_response_headers(mut self, names: Vec<HeaderName>) -> Self {
        self.settings().auth_response_headers = names;
        self
    }

    /// Headers matching `regex` (canonical names) are removed from the request,
    /// then copied from a `2xx` answer.
    pub fn auth_response_headers_regex(mut self, regex: Regex) -> Self {
        self.settings().auth_response_headers_regex = Some(regex);
        self
    }

    /// Only these request headers are sent to the server (empty: all).
    pub fn auth_request_headers(mut self, names: Vec<HeaderName>) -> Self {
        self.settings().auth_request_headers = names;
        self
    }

    /// Cookies copied from a `2xx` answer to the response.
    pub fn add_auth_cookies_to_response(mut self, names: Vec<String>) -> Self {
        self.settings().add_auth_cookies_to_response = names.into_iter().collect();
        self
    }

    /// The answer's header holding the authenticated user's name (recorded as an
    /// [`AuthenticatedUser`] request extension).
    pub fn header_field(mut self, name: HeaderName) -> Self {
        self.settings().header_field = Some(name);
        self
    }

    /// Send the request body too, at most `max_body_size` bytes (`None`: no limit).
    pub fn forward_body(mut self, forward: bool, max_body_size: Option<u64>) -> Self {
        let settings = self.settings();
        settings.forward_body = forward;
        settings.max_body_size = max_body_size;
        self
    }

    /// The largest answer body read; a larger one is a `500`.
    pub fn max_response_body_size(mut self, max: Option<u64>) -> Self {
        self.settings().max_response_body_size = max;
        self
    }

    /// Return the server's `Location` as it is instead of making it absolute.
    pub fn preserve_location_header(mut self, preserve: bool) -> Self {
        self.settings().preserve_location_header = preserve;
        self
    }

    /// Use the request's method instead of `GET`.
    pub fn preserve_request_method(mut self, preserve: bool) -> Self {
        self.settings().preserve_request_method = preserve;
        self
    }

    /// Where to send clients when the server answers `401` (a `302` there).
    pub fn auth_signin_url(mut self, url: HeaderValue) -> Self {
        self.settings().auth_signin_url = Some(url);
        self
    }
}

impl<S> Layer<S> for ForwardAuthLayer {
    type Service = ForwardAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ForwardAuth {
            inner,
            settings: self.settings.clone(),
            client: self.client.clone(),
        }
    }
}

// === impl ForwardAuth ===

impl<S> ForwardAuth<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

fn status(code: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = code;
    response
}

impl<S> Service<Request<Body>> for ForwardAuth<S>
where
    S: Service<Request<Body>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxResponseFuture<Body, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let settings = self.settings.clone();
        let client = self.client.clone();
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            match authenticate(&settings, &client, request).await {
                Ok((request, cookies)) => {
                    let response = inner.call(request).await?;
                    Ok(add_cookies(&settings, response, cookies))
                }
                Err(answer) => Ok(answer),
            }
        })
    }
}

/// Asks the server about `request`: `Ok` with the request to send on and the
/// answer's `Set-Cookie` values, or `Err` with the response to give the client.
async fn authenticate(
    settings: &Settings,
    client: &AuthClient,
    request: Request<Body>,
) -> Result<(Request<Body>, Vec<HeaderValue>), Response<Body>> {
    let (parts, body) = request.into_parts();
    let (mut request, forwarded_body) = if settings.forward_body {
        match read_limited(body, settings.max_body_size).await {
            Ok(bytes) => (
                Request::from_parts(parts, Body::from(bytes.clone())),
                Some(bytes).filter(|b| !b.is_empty()),
            ),
            Err(ReadError::TooLarge) => {
                tracing::debug!(max = ?settings.max_body_size, "forwardAuth: request body too large");
                return Err(status(StatusCode::UNAUTHORIZED));
            }
            Err(ReadError::Failed) => return Err(status(StatusCode::INTERNAL_SERVER_ERROR)),
        }
    } else {
        (Request::from_parts(parts, body), None)
    };

    let mut auth_request = Request::new(forwarded_body.map(Body::from).unwrap_or_else(Body::empty));
    *auth_request.method_mut() = auth_method(request.method(), settings.preserve_request_method);
    *auth_request.uri_mut() = settings.address.clone();
    *auth_request.headers_mut() = auth_request_headers(
        &request,
        settings.trust_forward_header,
        &settings.auth_request_headers,
    );

    let exchange = async {
        let response = client.inner().request(auth_request).await.map_err(|e| {
            tracing::debug!(error = %e, address = %settings.address, "forwardAuth: calling the server failed");
        })?;
        let (parts, body) = response.into_parts();
        let body = read_limited(body, settings.max_response_body_size)
            .await
            .map_err(|e| tracing::debug!(?e, "forwardAuth: reading the answer failed"))?;
        Ok::<_, ()>((parts, body))
    };
    let (auth, body) = match tokio::time::timeout(client.exchange_timeout(), exchange).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(())) => return Err(status(StatusCode::INTERNAL_SERVER_ERROR)),
        Err(_) => {
            tracing::debug!(address = %settings.address, "forwardAuth: the server timed out");
            return Err(status(StatusCode::INTERNAL_SERVER_ERROR));
        }
    };

    if let Some(field) = &settings.header_field
        && let Some(user) = auth.headers.get(field).and_then(|v| v.to_str().ok())
    {
        request
            .extensions_mut()
            .insert(AuthenticatedUser(user.to_owned()));
    }

    if !auth.status.is_success() {
        return Err(denied(settings, auth, body));
    }

    let headers = request.headers_mut();
    for name in &settings.auth_response_headers {
        headers.remove(name);
        for value in auth.headers.get_all(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    if let Some(regex) = &settings.auth_response_headers_regex {
        let matching: Vec<HeaderName> = headers
            .keys()
            .filter(|n| regex.is_match(&canonical_key(n.as_str())))
            .cloned()
            .collect();
        for name in matching {
            headers.remove(name);
        }
        for (name, value) in &auth.headers {
            if regex.is_match(&canonical_key(name.as_str())) {
                headers.append(name.clone(), value.clone());
            }
        }
    }
    let cookies = auth
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter(|v| cookie_name(v).is_some())
        .cloned()
        .collect();
    Ok((request, cookies))
}

/// The server's refusal, as the client gets it.
fn denied(settings: &Settings, auth: http::response::Parts, body: Bytes) -> Response<Body> {
    tracing::debug!(status = %auth.status, address = %settings.address, "forwardAuth: access denied");
    if auth.status == StatusCode::UNAUTHORIZED
        && let Some(url) = &settings.auth_signin_url
    {
        let mut response = status(StatusCode::FOUND);
        response.headers_mut().insert(header::LOCATION, url.clone());
        return response;
    }
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = auth.status;
    let mut headers = auth.headers;
    remove_hop_headers(&mut headers);
    let location = headers
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    if let Some(location) = location.filter(|l| !l.is_empty())
        && !settings.preserve_location_header
    {
        match resolve_location(&settings.address, &location)
            .and_then(|l| HeaderValue::from_str(&l).ok())
        {
            Some(absolute) => {
                headers.insert(header::LOCATION, absolute);
            }
            None => return status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
    // The body is sent whole: its length is known.
    headers.remove(header::CONTENT_LENGTH);
    *response.headers_mut() = headers;
    response
}

/// Replaces the backend's cookies named in `add_auth_cookies_to_response` with
/// the server's.
fn add_cookies(
    settings: &Settings,
    mut response: Response<Body>,
    auth_cookies: Vec<HeaderValue>,
) -> Response<Body> {
    if auth_cookies.is_empty() {
        return response;
    }
    let wanted = |v: &HeaderValue| {
        cookie_name(v).is_some_and(|n| settings.add_auth_cookies_to_response.contains(n))
    };
    let headers = response.headers_mut();
    let backend: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter(|v| cookie_name(v).is_some() && !wanted(v))
        .cloned()
        .collect();
    headers.remove(header::SET_COOKIE);
    for value in backend
        .into_iter()
        .chain(auth_cookies.into_iter().filter(|v| wanted(v)))
    {
        headers.append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests;
