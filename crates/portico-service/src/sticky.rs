//! The session cookie of sticky services (`sticky.cookie`).

use std::{fmt::Write as _, time::Duration};

use http::{HeaderMap, HeaderValue, header::COOKIE};

/// The `SameSite` attribute of a sticky cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=None`.
    None,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=Strict`.
    Strict,
}

/// How a sticky service names and writes its cookie (Traefik's `sticky.cookie`).
///
/// # Example
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use portico_service::StickyCookie;
///
/// let cookie = StickyCookie::new("lb").http_only(true);
/// let mut headers = HeaderMap::new();
/// headers.insert("cookie", HeaderValue::from_static("a=1; lb=abc"));
/// assert_eq!(cookie.pinned(&headers), Some("abc"));
/// assert_eq!(cookie.set_cookie("abc").unwrap(), "lb=abc; Path=/; HttpOnly");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StickyCookie {
    name: String,
    secure: bool,
    http_only: bool,
    same_site: Option<SameSite>,
    max_age: Option<i64>,
    path: String,
    domain: Option<String>,
}

// === impl StickyCookie ===

impl StickyCookie {
    /// A cookie called `name`, path `/`, no other attribute.
    pub fn new(name: impl Into<String>) -> StickyCookie {
        StickyCookie {
            name: name.into(),
            secure: false,
            http_only: false,
            same_site: None,
            max_age: None,
            path: "/".to_owned(),
            domain: None,
        }
    }

    /// `Secure`.
    pub fn secure(mut self, secure: bool) -> StickyCookie {
        self.secure = secure;
        self
    }

    /// `HttpOnly`.
    pub fn http_only(mut self, http_only: bool) -> StickyCookie {
        self.http_only = http_only;
        self
    }

    /// `SameSite`.
    pub fn same_site(mut self, same_site: Option<SameSite>) -> StickyCookie {
        self.same_site = same_site;
        self
    }

    /// `Max-Age` in seconds: `None` or `Some(0)` is a session cookie; a negative
    /// value expires the cookie at once (`Max-Age=0`), as Traefik does.
    pub fn max_age(mut self, max_age: Option<i64>) -> StickyCookie {
        self.max_age = max_age;
        self
    }

    /// `Path` (default `/`).
    pub fn path(mut self, path: impl Into<String>) -> StickyCookie {
        self.path = path.into();
        self
    }

    /// `Domain`.
    pub fn domain(mut self, domain: Option<String>) -> StickyCookie {
        self.domain = domain;
        self
    }

    /// The cookie's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of this cookie in the request's `Cookie` headers, if any.
    pub fn pinned<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name)
            .map(|(_, value)| value.trim_matches('"'))
    }

    /// The `Set-Cookie` value pinning the client to `value`; `None` if the name or
    /// an attribute cannot be a header value.
    pub fn set_cookie(&self, value: &str) -> Option<HeaderValue> {
        let mut s = format!("{}={}; Path={}", self.name, value, self.path);
        if let Some(domain) = &self.domain {
            let _ = write!(s, "; Domain={domain}");
        }
        match self.max_age {
            Some(age) if age > 0 => {
                let _ = write!(s, "; Max-Age={age}");
            }
            Some(age) if age < 0 => s.push_str("; Max-Age=0"),
            _ => {}
        }
        if self.http_only {
            s.push_str("; HttpOnly");
        }
        if self.secure {
            s.push_str("; Secure");
        }
        match self.same_site {
            Some(SameSite::None) => s.push_str("; SameSite=None"),
            Some(SameSite::Lax) => s.push_str("; SameSite=Lax"),
            Some(SameSite::Strict) => s.push_str("; SameSite=Strict"),
            None => {}
        }
        HeaderValue::from_str(&s).ok()
    }

    /// The cookie's lifetime, if it is not a session cookie.
    pub fn lifetime(&self) -> Option<Duration> {
        self.max_age
            .filter(|age| *age > 0)
            .map(|age| Duration::from_secs(age.unsigned_abs()))
    }
}

/// The cookie value that pins a client to the server or child service `key` (its
/// URL or name): the first 16 hex digits of its SHA-256, as Traefik v3 writes, so
/// the cookie does not reveal backend addresses and pins made by Traefik carry over.
///
/// # Example
///
/// ```
/// use portico_service::sticky_value;
///
/// assert_eq!(sticky_value("http://10.0.0.1:80").len(), 16);
/// assert_ne!(sticky_value("http://10.0.0.1:80"), sticky_value("http://10.0.0.2:80"));
/// ```
pub fn sticky_value(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let mut s = String::with_capacity(16);
    for byte in &digest[..8] {
        let _ = write!(s, "{byte:02x}");
    }
    s
}
