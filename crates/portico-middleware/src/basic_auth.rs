//! Traefik's `basicAuth` middleware: HTTP Basic authentication against a list of
//! `name:hash` users.
//!
//! Hashes are those `htpasswd` writes ([`PasswordHash`]): bcrypt, `{SHA}` and
//! MD5-crypt (`$apr1$`, `$1$`); bcrypt checks run on Tokio's blocking pool so they
//! do not stall other requests. A request without valid credentials is answered
//! `401` with `WWW-Authenticate: Basic realm="<realm>"` (realm `traefik` by
//! default) and the body `401 Unauthorized`, without calling the inner service.
//! On success the user's name can be passed to the backend in a header
//! (`headerField`) and `Authorization` can be removed (`removeHeader`).
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::basic_auth::{BasicAuthLayer, parse_users};
//!
//! // `htpasswd -nb test test`
//! let users = parse_users(["test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"]).unwrap();
//! let layer = BasicAuthLayer::new(users)
//!     .realm("my realm")
//!     .header_field(http::HeaderName::from_static("x-webauth-user"))
//!     .remove_header(true);
//! let app: Router = Router::new().route("/", get(|| async { "secret" })).layer(layer);
//! # let _ = app;
//! ```

mod hash;

use std::{
    collections::HashMap,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode, header};
use tower::{Layer, Service};

pub use self::hash::PasswordHash;

/// A boxed response future (authentication may wait for a hash check).
pub type BoxResponseFuture<B, E> = Pin<Box<dyn Future<Output = Result<Response<B>, E>> + Send>>;

/// The user a request was authenticated as, recorded in its extensions by
/// `basicAuth`, `digestAuth` and `forwardAuth` (`headerField`), for access logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticatedUser(pub String);

/// A `users` entry that is not `name:hash`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid user entry {0:?}: expected name:hash")]
pub struct InvalidUser(pub String);

/// Parses `name:hash` entries (exactly one `:`, as Traefik); later entries for the
/// same name win.
pub fn parse_users<I, T>(entries: I) -> Result<Vec<(String, PasswordHash)>, InvalidUser>
where
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    entries
        .into_iter()
        .map(|entry| {
            let entry = entry.as_ref();
            let mut parts = entry.split(':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(name), Some(hash), None) => Ok((name.to_owned(), PasswordHash::parse(hash))),
                _ => Err(InvalidUser(
                    entry.split(':').next().unwrap_or_default().to_owned(),
                )),
            }
        })
        .collect()
}

/// Checks HTTP Basic credentials; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct BasicAuthLayer {
    settings: Arc<Settings>,
}

#[derive(Clone, Debug)]
struct Settings {
    users: HashMap<String, PasswordHash>,
    challenge: HeaderValue,
    header_field: Option<HeaderName>,
    remove_header: bool,
}

/// The service made by [`BasicAuthLayer`].
#[derive(Clone, Debug)]
pub struct BasicAuth<S> {
    inner: S,
    settings: Arc<Settings>,
}

// === impl BasicAuthLayer ===

impl BasicAuthLayer {
    /// Accepts `users` (see [`parse_users`]); realm `traefik`.
    pub fn new<I: IntoIterator<Item = (String, PasswordHash)>>(users: I) -> Self {
        BasicAuthLayer {
            settings: Arc::new(Settings {
                users: users.into_iter().collect(),
                challenge: challenge("traefik"),
                header_field: None,
                remove_header: false,
            }),
        }
    }

    fn settings(&mut self) -> &mut Settings {
        Arc::make_mut(&mut self.settings)
    }

    /// The realm in the `WWW-Authenticate` challenge.
    pub fn realm(mut self, realm: &str) -> Self {
        self.settings().challenge = challenge(realm);
        self
    }

    /// A request header receiving the authenticated user's name.
    pub fn header_field(mut self, name: HeaderName) -> Self {
        self.settings().header_field = Some(name);
        self
    }

    /// Whether `Authorization` is removed before the request goes on.
    pub fn remove_header(mut self, remove: bool) -> Self {
        self.settings().remove_header = remove;
        self
    }
}

fn challenge(realm: &str) -> HeaderValue {
    let text = format!("Basic realm=\"{}\"", realm.replace('"', "\\\""));
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("Basic realm=\"traefik\""))
}

impl<S> Layer<S> for BasicAuthLayer {
    type Service = BasicAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BasicAuth {
            inner,
            settings: self.settings.clone(),
        }
    }
}

// === impl BasicAuth ===

impl<S> BasicAuth<S> {
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

/// The user and password of a `Basic` `Authorization` header, as Go's
/// `Request.BasicAuth` reads them.
pub(crate) fn basic_credentials(value: &HeaderValue) -> Option<(String, String)> {
    let text = value.to_str().ok()?;
    let (scheme, encoded) = text.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case("basic ") {
        return None;
    }
    let decoded = STANDARD.decode(encoded).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// `401` with `challenge` and go-http-auth's body.
pub(crate) fn unauthorized<B: From<Bytes>>(challenge: HeaderValue) -> Response<B> {
    let mut response = Response::new(B::from(Bytes::from_static(b"401 Unauthorized\n")));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    h.insert(header::WWW_AUTHENTICATE, challenge);
    response
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for BasicAuth<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: From<Bytes> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxResponseFuture<ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let settings = self.settings.clone();
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let credentials = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(basic_credentials);
            let user = match credentials {
                Some((user, password)) => match settings.users.get(&user) {
                    Some(hash) if check(hash, password).await => Some(user),
                    _ => None,
                },
                None => None,
            };
            let Some(user) = user else {
                tracing::debug!("basicAuth: authentication failed");
                return Ok(unauthorized(settings.challenge.clone()));
            };
            if let Some(field) = &settings.header_field
                && let Ok(value) = HeaderValue::from_str(&user)
            {
                request.headers_mut().insert(field.clone(), value);
            }
            request.extensions_mut().insert(AuthenticatedUser(user));
            if settings.remove_header {
                request.headers_mut().remove(header::AUTHORIZATION);
            }
            inner.call(request).await
        })
    }
}

/// Checks `password` against `hash`, bcrypt on the blocking pool.
async fn check(hash: &PasswordHash, password: String) -> bool {
    if !hash.is_expensive() {
        return hash.verify(&password);
    }
    let hash = hash.clone();
    tokio::task::spawn_blocking(move || hash.verify(&password))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests;
