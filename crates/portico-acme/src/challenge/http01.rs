//! HTTP-01: answer `GET /.well-known/acme-challenge/<token>` with the key
//! authorization.
//!
//! [`Http01Tokens`] is filled by the issuer while a challenge is pending;
//! [`Http01Service`] is a tower service (usable as an axum `route_service` or
//! `fallback_service`) that answers from it, 404 for anything else.
//!
//! # Example
//!
//! ```
//! use portico_acme::challenge::http01::{Http01Service, Http01Tokens, PATH_PREFIX};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let tokens = Http01Tokens::default();
//! tokens.insert("abc", "abc.thumb");
//! let svc = Http01Service::new(tokens);
//! let req = http::Request::get(format!("{PATH_PREFIX}abc")).body(()).unwrap();
//! let rsp = svc.oneshot(req).await.unwrap();
//! assert_eq!(rsp.status(), 200);
//! # }
//! ```

use std::{
    collections::HashMap,
    convert::Infallible,
    future::{Ready, ready},
    sync::{Arc, RwLock},
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;

/// The path prefix of HTTP-01 challenges.
pub const PATH_PREFIX: &str = "/.well-known/acme-challenge/";

/// Pending HTTP-01 answers: token → key authorization.
#[derive(Clone, Debug, Default)]
pub struct Http01Tokens {
    inner: Arc<RwLock<HashMap<String, String>>>,
}

/// Answers HTTP-01 challenges from an [`Http01Tokens`]. See the [module example](self).
#[derive(Clone, Debug)]
pub struct Http01Service {
    tokens: Http01Tokens,
}

// === impl Http01Tokens ===

impl Http01Tokens {
    /// Publishes `key_authorization` for `token`.
    pub fn insert(&self, token: &str, key_authorization: &str) {
        self.inner
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.to_owned(), key_authorization.to_owned());
    }

    /// Withdraws `token`.
    pub fn remove(&self, token: &str) {
        self.inner
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }

    /// The key authorization published for `token`.
    pub fn get(&self, token: &str) -> Option<String> {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    /// How many tokens are published.
    pub fn len(&self) -> usize {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no token is published.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// === impl Http01Service ===

impl Http01Service {
    /// A service answering from `tokens`.
    pub fn new(tokens: Http01Tokens) -> Self {
        Http01Service { tokens }
    }

    fn answer(&self, method: &Method, path: &str) -> Response<Full<Bytes>> {
        let token = path
            .strip_prefix(PATH_PREFIX)
            .filter(|t| !t.is_empty() && !t.contains('/'));
        let found = match (method, token) {
            (&Method::GET | &Method::HEAD, Some(token)) => self.tokens.get(token),
            _ => None,
        };
        let mut rsp = match found {
            Some(key_auth) => Response::new(Full::new(Bytes::from(key_auth))),
            None => {
                let mut rsp = Response::new(Full::new(Bytes::from_static(b"404 page not found\n")));
                *rsp.status_mut() = StatusCode::NOT_FOUND;
                rsp
            }
        };
        rsp.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        rsp
    }
}

impl<B> tower::Service<Request<B>> for Http01Service {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        ready(Ok(self.answer(req.method(), req.uri().path())))
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn get(svc: &Http01Service, method: Method, path: &str) -> (StatusCode, String) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .body(())
            .unwrap();
        let rsp = svc.clone().oneshot(req).await.unwrap();
        let status = rsp.status();
        let body = rsp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn answers_published_tokens_only() {
        let tokens = Http01Tokens::default();
        let svc = Http01Service::new(tokens.clone());
        let path = "/.well-known/acme-challenge/tok";
        assert_eq!(get(&svc, Method::GET, path).await.0, StatusCode::NOT_FOUND);

        tokens.insert("tok", "tok.thumb");
        assert_eq!(
            get(&svc, Method::GET, path).await,
            (StatusCode::OK, "tok.thumb".to_owned())
        );
        assert_eq!(get(&svc, Method::POST, path).await.0, StatusCode::NOT_FOUND);
        for other in [
            "/.well-known/acme-challenge/",
            "/.well-known/acme-challenge/tok/x",
            "/tok",
        ] {
            assert_eq!(
                get(&svc, Method::GET, other).await.0,
                StatusCode::NOT_FOUND,
                "{other}"
            );
        }

        tokens.remove("tok");
        assert!(tokens.is_empty());
        assert_eq!(get(&svc, Method::GET, path).await.0, StatusCode::NOT_FOUND);
    }
}
