//! Traefik's `digestAuth` middleware: HTTP Digest authentication (RFC 2617,
//! `MD5`, `qop="auth"`) against `name:realm:HA1` users, as `go-http-auth` does it.
//!
//! A request without valid credentials is answered `401` with a fresh challenge,
//! `WWW-Authenticate: Digest realm="…", nonce="…", opaque="…", algorithm=MD5,
//! qop="auth"`, without calling the inner service. Nonces are issued by each
//! service built from the layer (each router, as Traefik builds one middleware per
//! router); the nonce count must grow from one request to the next, and a nonce the
//! service does not know gets a `stale=TRUE` challenge. At most 1,100 nonces are
//! remembered; the 200 least recently used are forgotten beyond that.
//!
//! A user is found by name and by the middleware's realm: `test:traefik:<HA1>`
//! serves realm `traefik`, where `HA1 = MD5(name:realm:password)` in hexadecimal
//! (what `htdigest` writes).
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::digest_auth::{DigestAuthLayer, parse_digest_users};
//!
//! // `htdigest` for user `test`, realm `traefik`, password `test`.
//! let users = parse_digest_users(["test:traefik:a2688e031edb4be6a3797f3882655c05"]).unwrap();
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "secret" }))
//!     .layer(DigestAuthLayer::new(users).remove_header(true));
//! # let _ = app;
//! ```

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    task::{Context, Poll},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, header};
use md5::{Digest, Md5};
use subtle::ConstantTimeEq;
use tower::{Layer, Service};

use crate::{
    ResponseFuture,
    basic_auth::{AuthenticatedUser, InvalidUser, unauthorized},
};

const CACHE_SIZE: usize = 1000;
const CACHE_TOLERANCE: usize = 100;

/// One `name:realm:HA1` entry.
#[derive(Clone, PartialEq, Eq)]
pub struct DigestUser {
    /// The user name.
    pub name: String,
    /// The realm the entry is for.
    pub realm: String,
    /// `MD5(name:realm:password)`, lower-case hexadecimal.
    pub ha1: String,
}

impl std::fmt::Debug for DigestUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestUser")
            .field("name", &self.name)
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

/// Parses `name:realm:HA1` entries (exactly two `:`, as Traefik).
pub fn parse_digest_users<I, T>(entries: I) -> Result<Vec<DigestUser>, InvalidUser>
where
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    entries
        .into_iter()
        .map(|entry| {
            let entry = entry.as_ref();
            let parts: Vec<&str> = entry.split(':').collect();
            match parts.as_slice() {
                [name, realm, ha1] => Ok(DigestUser {
                    name: (*name).to_owned(),
                    realm: (*realm).to_owned(),
                    ha1: (*ha1).to_owned(),
                }),
                _ => Err(InvalidUser(
                    parts.first().copied().unwrap_or_default().to_owned(),
                )),
            }
        })
        .collect()
}

/// Checks HTTP Digest credentials; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct DigestAuthLayer {
    settings: Arc<Settings>,
}

#[derive(Clone, Debug)]
struct Settings {
    /// HA1 by `name:realm`.
    users: HashMap<String, String>,
    realm: String,
    header_field: Option<HeaderName>,
    remove_header: bool,
}

/// The service made by [`DigestAuthLayer`]; it owns its nonces.
#[derive(Clone, Debug)]
pub struct DigestAuth<S> {
    inner: S,
    settings: Arc<Settings>,
    state: Arc<State>,
}

#[derive(Debug)]
struct State {
    opaque: String,
    clients: Mutex<Clients>,
}

#[derive(Debug, Default)]
struct Clients {
    /// Last nonce count and last use, by nonce.
    by_nonce: HashMap<String, (u64, u64)>,
    clock: u64,
}

/// Why a request was not authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    Invalid,
    Stale,
}

// === impl DigestAuthLayer ===

impl DigestAuthLayer {
    /// Accepts `users`; realm `traefik`.
    pub fn new<I: IntoIterator<Item = DigestUser>>(users: I) -> Self {
        DigestAuthLayer {
            settings: Arc::new(Settings {
                users: users
                    .into_iter()
                    .map(|u| (format!("{}:{}", u.name, u.realm), u.ha1))
                    .collect(),
                realm: "traefik".to_owned(),
                header_field: None,
                remove_header: false,
            }),
        }
    }

    /// The realm of the challenge, and of the users that can sign in.
    pub fn realm(mut self, realm: &str) -> Self {
        Arc::make_mut(&mut self.settings).realm = realm.to_owned();
        self
    }

    /// A request header receiving the authenticated user's name.
    pub fn header_field(mut self, name: HeaderName) -> Self {
        Arc::make_mut(&mut self.settings).header_field = Some(name);
        self
    }

    /// Whether `Authorization` is removed before the request goes on.
    pub fn remove_header(mut self, remove: bool) -> Self {
        Arc::make_mut(&mut self.settings).remove_header = remove;
        self
    }
}

impl<S> Layer<S> for DigestAuthLayer {
    type Service = DigestAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        DigestAuth {
            inner,
            settings: self.settings.clone(),
            state: Arc::new(State {
                opaque: random_key(),
                clients: Mutex::new(Clients::default()),
            }),
        }
    }
}

fn random_key() -> String {
    let mut key = [0u8; 12];
    // Without OS randomness a predictable key is still unique per process use;
    // failure here is not input-driven.
    if getrandom::fill(&mut key).is_err() {
        key = fastrand::u128(..).to_le_bytes()[..12]
            .try_into()
            .unwrap_or([0u8; 12]);
    }
    STANDARD.encode(key)
}

fn h(text: &str) -> String {
    let digest = Md5::digest(text.as_bytes());
    let mut out = String::with_capacity(32);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Splits a comma-separated list, keeping quoted strings whole.
fn parse_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
            current.push(c);
        } else if c == ',' && !quoted {
            items.push(current.trim().to_owned());
            current.clear();
        } else {
            current.push(c);
        }
    }
    items.push(current.trim().to_owned());
    items.retain(|i| !i.is_empty());
    items
}

/// The parameters of a `Digest` `Authorization` header.
fn digest_params(value: &str) -> Option<HashMap<String, String>> {
    let (scheme, rest) = value.split_once(' ')?;
    if scheme != "Digest" {
        return None;
    }
    let mut params = HashMap::new();
    for pair in parse_list(rest.trim()) {
        match pair.split_once('=') {
            None => {
                params.insert(pair, String::new());
            }
            Some((key, v)) => {
                let v = if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                    &v[1..v.len() - 1]
                } else {
                    v
                };
                params.insert(key.to_owned(), v.to_owned());
            }
        }
    }
    Some(params)
}

// === impl DigestAuth ===

impl<S> DigestAuth<S> {
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

    fn clients(&self) -> MutexGuard<'_, Clients> {
        self.state
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The authenticated user, or why there is none.
    fn check<B>(&self, request: &Request<B>) -> Result<String, Failure> {
        let value = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(Failure::Invalid)?;
        let mut auth = digest_params(value).ok_or(Failure::Invalid)?;
        auth.entry("algorithm".to_owned())
            .or_insert_with(|| "MD5".to_owned());
        let get = |k: &str| auth.get(k).map(String::as_str).unwrap_or_default();
        if get("opaque") != self.state.opaque || get("algorithm") != "MD5" || get("qop") != "auth" {
            return Err(Failure::Invalid);
        }
        let target = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/");
        let uri = get("uri");
        if uri != target {
            // As go-http-auth: the digest URI may be a path prefix of the request's.
            let digest_path = uri.split(['?', '#']).next().unwrap_or_default();
            let path = request.uri().path();
            if digest_path.len() > path.len() || !path.starts_with(digest_path) {
                return Err(Failure::Invalid);
            }
        }
        let user = get("username");
        let ha1 = self
            .settings
            .users
            .get(&format!("{user}:{}", self.settings.realm))
            .ok_or(Failure::Invalid)?;
        let ha2 = h(&format!("{}:{uri}", request.method()));
        let kd = h(&[
            ha1.as_str(),
            get("nonce"),
            get("nc"),
            get("cnonce"),
            get("qop"),
            &ha2,
        ]
        .join(":"));
        if !bool::from(kd.as_bytes().ct_eq(get("response").as_bytes())) {
            return Err(Failure::Invalid);
        }
        let nc = u64::from_str_radix(get("nc"), 16).map_err(|_| Failure::Invalid)?;
        let mut clients = self.clients();
        clients.clock += 1;
        let now = clients.clock;
        let Some(client) = clients.by_nonce.get_mut(get("nonce")) else {
            return Err(Failure::Stale);
        };
        if client.0 != 0 && client.0 >= nc {
            return Err(Failure::Invalid);
        }
        *client = (nc, now);
        Ok(user.to_owned())
    }

    /// A `401` with a new nonce.
    fn challenge<B: From<Bytes>>(&self, stale: bool) -> Response<B> {
        let nonce = random_key();
        {
            let mut clients = self.clients();
            if clients.by_nonce.len() > CACHE_SIZE + CACHE_TOLERANCE {
                let mut ages: Vec<(u64, String)> = clients
                    .by_nonce
                    .iter()
                    .map(|(n, (_, seen))| (*seen, n.clone()))
                    .collect();
                ages.sort_unstable();
                for (_, n) in ages.into_iter().take(CACHE_TOLERANCE * 2) {
                    clients.by_nonce.remove(&n);
                }
            }
            clients.clock += 1;
            let now = clients.clock;
            clients.by_nonce.insert(nonce.clone(), (0, now));
        }
        let mut text = format!(
            "Digest realm=\"{}\", nonce=\"{nonce}\", opaque=\"{}\", algorithm=MD5, qop=\"auth\"",
            self.settings.realm, self.state.opaque
        );
        if stale {
            text.push_str(", stale=TRUE");
        }
        let value = HeaderValue::from_str(&text)
            .unwrap_or(HeaderValue::from_static("Digest realm=\"traefik\""));
        unauthorized(value)
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for DigestAuth<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<Bytes>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        match self.check(&request) {
            Ok(user) => {
                if let Some(field) = &self.settings.header_field
                    && let Ok(value) = HeaderValue::from_str(&user)
                {
                    request.headers_mut().insert(field.clone(), value);
                }
                if self.settings.remove_header {
                    request.headers_mut().remove(header::AUTHORIZATION);
                }
                request.extensions_mut().insert(AuthenticatedUser(user));
                ResponseFuture::inner(self.inner.call(request))
            }
            Err(failure) => {
                tracing::debug!(?failure, "digestAuth: authentication failed");
                ResponseFuture::rejected(self.challenge(failure == Failure::Stale))
            }
        }
    }
}

#[cfg(test)]
mod tests;
