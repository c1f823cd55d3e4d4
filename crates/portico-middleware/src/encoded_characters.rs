//! Traefik's `encodedCharacters` middleware: refuses request paths carrying
//! percent-encoded characters that backends often decode into something else.
//!
//! Seven escapes can be allowed one by one: `%2F` (`/`), `%5C` (`\`), `%00`, `%3B`
//! (`;`), `%25` (`%`), `%3F` (`?`) and `%23` (`#`), in either case. A request whose
//! path carries a denied one, or ends in an incomplete escape, is answered
//! `400 Bad Request`. Only the path is checked, never the query. Every escape is
//! denied unless allowed ([`Allowed::default`]), as in the middleware's defaults.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::encoded_characters::{Allowed, EncodedCharactersLayer};
//!
//! let allowed = Allowed { slash: true, ..Allowed::default() };
//! let app: Router = Router::new()
//!     .route("/files/{name}", get(|| async { "file" }))
//!     .layer(EncodedCharactersLayer::new(allowed));
//! // `/files/a%2Fb` passes, `/files/a%5Cb` is answered 400.
//! # let _ = app;
//! ```

use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use tower::{Layer, Service};

use crate::{ResponseFuture, strip_prefix::reject};

/// Which encoded characters a path may carry (`allowEncoded*`); all `false` by
/// default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    /// `%2F`, `/`.
    pub slash: bool,
    /// `%5C`, `\`.
    pub back_slash: bool,
    /// `%00`, the null character.
    pub null_character: bool,
    /// `%3B`, `;`.
    pub semicolon: bool,
    /// `%25`, `%`.
    pub percent: bool,
    /// `%3F`, `?`.
    pub question_mark: bool,
    /// `%23`, `#`.
    pub hash: bool,
}

/// Refuses paths with denied escapes; see the [module docs](self).
#[derive(Clone, Copy, Debug)]
pub struct EncodedCharactersLayer {
    allowed: Allowed,
}

/// The service made by [`EncodedCharactersLayer`].
#[derive(Clone, Debug)]
pub struct EncodedCharacters<S> {
    inner: S,
    allowed: Allowed,
}

// === impl Allowed ===

impl Allowed {
    /// Every escape allowed (the middleware then does nothing).
    pub fn all() -> Self {
        Allowed {
            slash: true,
            back_slash: true,
            null_character: true,
            semicolon: true,
            percent: true,
            question_mark: true,
            hash: true,
        }
    }

    fn allows(&self, value: u8) -> bool {
        match value {
            b'/' => self.slash,
            b'\\' => self.back_slash,
            0 => self.null_character,
            b';' => self.semicolon,
            b'%' => self.percent,
            b'?' => self.question_mark,
            b'#' => self.hash,
            _ => true,
        }
    }

    /// Whether the escaped `path` passes: no denied escape, no incomplete one.
    pub fn check(&self, path: &str) -> bool {
        if *self == Allowed::all() {
            return true;
        }
        let bytes = path.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'%' {
                i += 1;
                continue;
            }
            let (Some(h), Some(l)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
                return false;
            };
            let digit = |b: u8| char::from(b).to_digit(16);
            if let (Some(h), Some(l)) = (digit(*h), digit(*l)) {
                let value = u8::try_from(h << 4 | l).unwrap_or(u8::MAX);
                if !self.allows(value) {
                    return false;
                }
            }
            i += 3;
        }
        true
    }
}

// === impl EncodedCharactersLayer ===

impl EncodedCharactersLayer {
    /// Denies the escapes `allowed` does not allow.
    pub fn new(allowed: Allowed) -> Self {
        EncodedCharactersLayer { allowed }
    }
}

impl<S> Layer<S> for EncodedCharactersLayer {
    type Service = EncodedCharacters<S>;

    fn layer(&self, inner: S) -> Self::Service {
        EncodedCharacters {
            inner,
            allowed: self.allowed,
        }
    }
}

// === impl EncodedCharacters ===

impl<S> EncodedCharacters<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, allowed: Allowed) -> Self {
        EncodedCharactersLayer::new(allowed).layer(inner)
    }

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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for EncodedCharacters<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        if !self.allowed.check(request.uri().path()) {
            tracing::debug!(
                path = request.uri().path(),
                "encodedCharacters: denied encoded character in path"
            );
            return reject(StatusCode::BAD_REQUEST);
        }
        ResponseFuture::inner(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denies_every_listed_escape_by_default() {
        let none = Allowed::default();
        for path in [
            "/a%2Fb", "/a%2fb", "/a%5Cb", "/a%5cb", "/a%00", "/a%3B", "/a%3b", "/a%25", "/a%3F",
            "/a%3f", "/a%23", "/a%",
        ] {
            assert!(!none.check(path), "{path}");
        }
        for path in ["/a%20b", "/a%41", "/plain", "/a%C3%A9"] {
            assert!(none.check(path), "{path}");
        }
    }

    #[test]
    fn each_switch_allows_its_escape_only() {
        let cases: [(Allowed, &str); 7] = [
            (
                Allowed {
                    slash: true,
                    ..Allowed::default()
                },
                "/%2F",
            ),
            (
                Allowed {
                    back_slash: true,
                    ..Allowed::default()
                },
                "/%5C",
            ),
            (
                Allowed {
                    null_character: true,
                    ..Allowed::default()
                },
                "/%00",
            ),
            (
                Allowed {
                    semicolon: true,
                    ..Allowed::default()
                },
                "/%3B",
            ),
            (
                Allowed {
                    percent: true,
                    ..Allowed::default()
                },
                "/%25",
            ),
            (
                Allowed {
                    question_mark: true,
                    ..Allowed::default()
                },
                "/%3F",
            ),
            (
                Allowed {
                    hash: true,
                    ..Allowed::default()
                },
                "/%23",
            ),
        ];
        for (allowed, path) in cases {
            assert!(allowed.check(path), "{path}");
            assert!(!allowed.check("/%2F%5C%00%3B%25%3F%23"), "{path}");
        }
        assert!(Allowed::all().check("/%2F%5C%00%3B%25%3F%23"));
    }
}
