//! The password hashes `htpasswd` writes: bcrypt, `{SHA}` and MD5-crypt
//! (`$apr1$`, `$1$`), checked as Go's `go-http-auth` checks them.

use base64::{Engine, engine::general_purpose::STANDARD};
use md5::{Digest, Md5};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// A stored password hash.
#[derive(Clone, PartialEq, Eq)]
pub enum PasswordHash {
    /// bcrypt (`$2a$`, `$2b$`, `$2x$`, `$2y$`).
    Bcrypt(String),
    /// `{SHA}` + base64 of the SHA-1 digest.
    Sha1(String),
    /// MD5-crypt: Apache's `$apr1$` or the original `$1$`.
    Md5Crypt {
        /// `apr1` or `1`.
        magic: String,
        /// The salt (at most 8 characters used).
        salt: String,
        /// The 22-character encoded digest.
        digest: String,
    },
    /// Anything else: no password matches it (as in Traefik, which treats an
    /// unknown format as MD5-crypt and fails to parse it).
    Unknown,
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the hash itself.
        let kind = match self {
            PasswordHash::Bcrypt(_) => "Bcrypt",
            PasswordHash::Sha1(_) => "Sha1",
            PasswordHash::Md5Crypt { .. } => "Md5Crypt",
            PasswordHash::Unknown => "Unknown",
        };
        f.write_str(kind)
    }
}

// === impl PasswordHash ===

impl PasswordHash {
    /// Recognizes a hash by its prefix.
    ///
    /// ```
    /// use portico_middleware::basic_auth::PasswordHash;
    /// let hash = PasswordHash::parse("$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/");
    /// assert!(hash.verify("test"));
    /// assert!(!hash.verify("nope"));
    /// assert_eq!(PasswordHash::parse("plain"), PasswordHash::Unknown);
    /// ```
    pub fn parse(secret: &str) -> PasswordHash {
        if let Some(b64) = secret.strip_prefix("{SHA}") {
            return PasswordHash::Sha1(b64.to_owned());
        }
        if ["$2a$", "$2b$", "$2x$", "$2y$"]
            .iter()
            .any(|p| secret.starts_with(p))
        {
            return PasswordHash::Bcrypt(secret.to_owned());
        }
        // `$magic$salt$digest`
        let mut parts = secret.split('$');
        if let (Some(""), Some(magic), Some(salt), Some(digest), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) && (magic == "apr1" || magic == "1")
        {
            return PasswordHash::Md5Crypt {
                magic: magic.to_owned(),
                salt: salt.to_owned(),
                digest: digest.to_owned(),
            };
        }
        PasswordHash::Unknown
    }

    /// Whether checking it is slow enough to move off the async executor.
    pub fn is_expensive(&self) -> bool {
        matches!(self, PasswordHash::Bcrypt(_))
    }

    /// Whether `password` matches.
    pub fn verify(&self, password: &str) -> bool {
        match self {
            PasswordHash::Bcrypt(hash) => bcrypt::verify(password, hash).unwrap_or(false),
            PasswordHash::Sha1(expected) => {
                let digest = STANDARD.encode(Sha1::digest(password.as_bytes()));
                digest.as_bytes().ct_eq(expected.as_bytes()).into()
            }
            PasswordHash::Md5Crypt {
                magic,
                salt,
                digest,
            } => {
                let computed = md5_crypt(password.as_bytes(), salt.as_bytes(), magic.as_bytes());
                computed.as_bytes().ct_eq(digest.as_bytes()).into()
            }
            PasswordHash::Unknown => false,
        }
    }
}

const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The MD5-crypt digest (22 characters) of `password` with `salt` and `magic`
/// (`apr1` or `1`), Poul-Henning Kamp's algorithm.
fn md5_crypt(password: &[u8], salt: &[u8], magic: &[u8]) -> String {
    let salt = &salt[..salt.len().min(8)];
    let mut prefix = Vec::with_capacity(magic.len() + 2);
    prefix.push(b'$');
    prefix.extend_from_slice(magic);
    prefix.push(b'$');

    let mut ctx = Md5::new();
    ctx.update(password);
    ctx.update(&prefix);
    ctx.update(salt);

    let mut alt = Md5::new();
    alt.update(password);
    alt.update(salt);
    alt.update(password);
    let alt = alt.finalize();

    let mut left = password.len();
    while left > 0 {
        ctx.update(&alt[..left.min(16)]);
        left = left.saturating_sub(16);
    }
    let mut i = password.len();
    while i > 0 {
        if i & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&password[..1]);
        }
        i >>= 1;
    }
    let mut fin = ctx.finalize();

    for round in 0..1000 {
        let mut c = Md5::new();
        if round & 1 == 1 {
            c.update(password);
        } else {
            c.update(fin);
        }
        if round % 3 != 0 {
            c.update(salt);
        }
        if round % 7 != 0 {
            c.update(password);
        }
        if round & 1 == 1 {
            c.update(fin);
        } else {
            c.update(password);
        }
        fin = c.finalize();
    }

    let mut out = String::with_capacity(22);
    let mut push = |v: u32, n: usize| {
        let mut v = v;
        for _ in 0..n {
            out.push(char::from(ITOA64[(v & 0x3f) as usize]));
            v >>= 6;
        }
    };
    let b = |i: usize| u32::from(fin[i]);
    for (x, y, z) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        push(b(x) << 16 | b(y) << 8 | b(z), 4);
    }
    push(b(11), 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apr1_matches_htpasswd() {
        // From Traefik's documentation (`test:test`, `test2:test2`).
        assert!(PasswordHash::parse("$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/").verify("test"));
        assert!(PasswordHash::parse("$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0").verify("test2"));
        assert!(!PasswordHash::parse("$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0").verify("test"));
    }

    #[test]
    fn md5_crypt_matches_openssl() {
        // `openssl passwd -1 -salt saltsalt password`
        assert_eq!(
            md5_crypt(b"password", b"saltsalt", b"1"),
            "qjXMvbEw8oaL.CzflDtaK/"
        );
        assert!(PasswordHash::parse("$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/").verify("password"));
    }

    #[test]
    fn sha1_and_bcrypt() {
        // `{SHA}` + base64(sha1("password"))
        let sha = PasswordHash::parse("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=");
        assert!(sha.verify("password"));
        assert!(!sha.verify("Password"));
        let hash = bcrypt::hash("secret", 4).unwrap();
        let parsed = PasswordHash::parse(&hash);
        assert!(parsed.is_expensive());
        assert!(parsed.verify("secret"));
        assert!(!parsed.verify("secreT"));
        // Hashes made by other tools, `$2a$` and `$2b$` flavours.
        assert!(
            PasswordHash::parse("$2a$04$UuTkLRZZ6QofpDOlMz32MuuxEHA43WOemOYHPz6.SjsVsyO1tDU96")
                .verify("password")
        );
        assert!(
            PasswordHash::parse("$2b$04$EGdrhbKUv8Oc9vGiXX0HQOxSg445d458Muh7DAHskb6QbtCvdxcie")
                .verify("correctbatteryhorsestapler")
        );
    }

    #[test]
    fn unknown_formats_never_match() {
        for secret in ["", "password", "$5$salt$x", "$apr1$onlysalt"] {
            let hash = PasswordHash::parse(secret);
            assert_eq!(hash, PasswordHash::Unknown, "{secret}");
            assert!(!hash.verify(secret));
        }
        assert_eq!(format!("{:?}", PasswordHash::parse("{SHA}abc")), "Sha1");
    }
}
