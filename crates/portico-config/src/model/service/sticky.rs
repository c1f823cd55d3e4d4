//! Sticky sessions (`sticky.cookie`), with Traefik's cookie naming.

use sha1::{Digest, Sha1};

use crate::model::QualifiedName;

/// `sticky.cookie`: the cookie that pins a client to a server (or child service).
///
/// # Example
///
/// ```
/// use portico_config::model::{QualifiedName, StickyCookieSpec};
///
/// let cookie = StickyCookieSpec::new(&QualifiedName::new("whoami", "file"));
/// assert_eq!(cookie.name.len(), 6);
/// assert!(cookie.name.starts_with('_'));
/// assert_eq!(cookie.path, "/");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StickyCookieSpec {
    /// `name`: as configured (with characters not allowed in a cookie name replaced
    /// by `_`, as Traefik does), else derived from the qualified service name
    /// ([`StickyCookieSpec::default_name`]).
    pub name: String,
    /// `secure` (default false).
    pub secure: bool,
    /// `httpOnly` (default false).
    pub http_only: bool,
    /// `sameSite`: no attribute when `None`.
    pub same_site: Option<CookieSameSite>,
    /// `maxAge` in seconds: 0 (default) makes a session cookie, a negative value
    /// expires the cookie at once.
    pub max_age: i64,
    /// `path` (default `/`).
    pub path: String,
    /// `domain`: no attribute when `None`.
    pub domain: Option<String>,
}

/// The `SameSite` cookie attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CookieSameSite {
    /// `SameSite=None`.
    None,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=Strict`.
    Strict,
}

/// Traefik's `cookieNameLength`: `_` and five hex digits.
const COOKIE_NAME_LENGTH: usize = 6;

// === impl StickyCookieSpec ===

impl StickyCookieSpec {
    /// The cookie of `service` with every option at Traefik's default.
    pub fn new(service: &QualifiedName) -> StickyCookieSpec {
        StickyCookieSpec {
            name: StickyCookieSpec::default_name(service),
            secure: false,
            http_only: false,
            same_site: None,
            max_age: 0,
            path: "/".to_owned(),
            domain: None,
        }
    }

    /// Traefik's cookie name for a service that does not name its cookie
    /// (`pkg/server/cookie`): `_` and the first five hex digits of
    /// `sha1("_TRAEFIK_BACKEND_" + service)`, the service name qualified
    /// (`whoami@docker`).
    ///
    /// # Example
    ///
    /// ```
    /// use portico_config::model::{QualifiedName, StickyCookieSpec};
    ///
    /// // sha1("_TRAEFIK_BACKEND_whoami@file") starts with 77b1f
    /// let name = StickyCookieSpec::default_name(&QualifiedName::new("whoami", "file"));
    /// assert_eq!(name, "_77b1f");
    /// ```
    pub fn default_name(service: &QualifiedName) -> String {
        let digest = Sha1::digest(format!("_TRAEFIK_BACKEND_{service}").as_bytes());
        let mut name = String::with_capacity(1 + 2 * digest.len());
        name.push('_');
        for byte in digest {
            name.push_str(&format!("{byte:02x}"));
        }
        name.truncate(COOKIE_NAME_LENGTH);
        name
    }

    /// A configured cookie name made valid as Traefik does (RFC 2616 token
    /// characters kept, every other character replaced by `_`).
    ///
    /// # Example
    ///
    /// ```
    /// use portico_config::model::StickyCookieSpec;
    ///
    /// assert_eq!(StickyCookieSpec::sanitize_name("my cookie/é"), "my_cookie__");
    /// assert_eq!(StickyCookieSpec::sanitize_name("a-b.c~!"), "a-b.c~!");
    /// ```
    pub fn sanitize_name(name: &str) -> String {
        name.chars()
            .map(|c| match c {
                '!' | '#' | '$' | '%' | '&' | '\'' | '*' | '+' | '-' | '.' | '^' | '`' | '|'
                | '~' => c,
                c if c.is_ascii_alphanumeric() => c,
                _ => '_',
            })
            .collect()
    }
}

// === impl CookieSameSite ===

impl CookieSameSite {
    /// The attribute value (`None`, `Lax`, `Strict`).
    pub fn as_str(self) -> &'static str {
        match self {
            CookieSameSite::None => "None",
            CookieSameSite::Lax => "Lax",
            CookieSameSite::Strict => "Strict",
        }
    }
}
