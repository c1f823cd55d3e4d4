//! `Query` and `QueryRegexp` (v3) and the v2 `Query(`k=v`)` templates.
//!
//! Parsing follows Go's `url.ParseQuery` without building a map: pairs are split on `&`, a
//! pair holding `;` is dropped, keys and values are form-decoded (`+` is a space, `%XX`
//! bytes; a bad escape drops the pair). Decoding allocates only when the text holds `%`
//! or `+`.

use std::borrow::Cow;

use regex::Regex;

/// What a query value must be.
#[derive(Clone, Debug)]
pub(crate) enum QueryValue {
    /// Equal, byte for byte (`Query(k)` is `Query(k, "")`: present with an empty value).
    Exact(String),
    /// The regexp matches (unanchored).
    Regex(Regex),
}

/// A v3 `Query(key[, value])` / `QueryRegexp(key, re)`.
#[derive(Clone, Debug)]
pub(crate) struct QueryMatch {
    pub(crate) key: String,
    pub(crate) value: QueryValue,
}

// === impl QueryMatch ===

impl QueryMatch {
    /// Whether some `key=value` pair satisfies the value.
    pub(crate) fn matches(&self, query: Option<&str>) -> bool {
        let Some(query) = query else {
            return false;
        };
        query.split('&').any(|pair| {
            if pair.contains(';') || pair.is_empty() {
                return false;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if unescape(k).as_deref() != Some(self.key.as_bytes()) {
                return false;
            }
            let Some(v) = unescape(v) else {
                return false;
            };
            match &self.value {
                QueryValue::Exact(want) => *v == *want.as_bytes(),
                QueryValue::Regex(re) => re.is_match(&String::from_utf8_lossy(&v)),
            }
        })
    }
}

/// A v2 `Query(`key=template`)`: the regexp `^key=…$` is matched against `key=` followed
/// by the first value of `key` (gorilla/mux, Traefik's fork: `&` and `;` both separate).
#[derive(Clone, Debug)]
pub(crate) struct QueryTemplate {
    pub(crate) key: String,
    pub(crate) re: Regex,
}

// === impl QueryTemplate ===

impl QueryTemplate {
    pub(crate) fn matches(&self, query: Option<&str>) -> bool {
        let first = query.and_then(|q| {
            q.split(['&', ';']).find_map(|pair| {
                if pair.is_empty() {
                    return None;
                }
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                if unescape(k)?.as_ref() != self.key.as_bytes() {
                    return None;
                }
                unescape(v)
            })
        });
        match first {
            Some(value) => {
                let mut subject = String::with_capacity(self.key.len() + 1 + value.len());
                subject.push_str(&self.key);
                subject.push('=');
                subject.push_str(&String::from_utf8_lossy(&value));
                self.re.is_match(&subject)
            }
            None => self.re.is_match(""),
        }
    }
}

/// Go's `url.QueryUnescape`; `None` on a malformed `%` escape.
pub(crate) fn unescape(s: &str) -> Option<Cow<'_, [u8]>> {
    if !s.contains(['%', '+']) {
        return Some(Cow::Borrowed(s.as_bytes()));
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hi = b.get(i + 1).and_then(|c| (*c as char).to_digit(16))?;
                let lo = b.get(i + 2).and_then(|c| (*c as char).to_digit(16))?;
                out.push(u8::try_from(hi * 16 + lo).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::{QueryMatch, QueryTemplate, QueryValue, unescape};

    fn exact(key: &str, value: &str) -> QueryMatch {
        QueryMatch {
            key: key.into(),
            value: QueryValue::Exact(value.into()),
        }
    }

    #[test]
    fn form_decoding_and_any_value() {
        let m = exact("q", "a b");
        assert!(m.matches(Some("q=a+b")));
        assert!(m.matches(Some("q=a%20b")));
        assert!(m.matches(Some("x=1&q=zz&q=a+b")));
        assert!(m.matches(Some("%71=a+b")), "keys are decoded too");
        assert!(!m.matches(Some("q=a%2")));
        assert!(!m.matches(Some("Q=a+b")));
        assert!(!m.matches(None));
    }

    #[test]
    fn one_argument_form_means_present_and_empty() {
        let m = exact("mobile", "");
        assert!(m.matches(Some("mobile")));
        assert!(m.matches(Some("mobile=")));
        assert!(m.matches(Some("a=1&mobile")));
        assert!(!m.matches(Some("mobile=1")));
        assert!(!m.matches(Some("")));
    }

    #[test]
    fn semicolon_pairs_are_dropped_like_go() {
        let m = exact("q", "traefik");
        assert!(!m.matches(Some("a=1;q=traefik")));
        assert!(m.matches(Some("a=1;b=2&q=traefik")));
    }

    #[test]
    fn regex_values() {
        let m = QueryMatch {
            key: "q".into(),
            value: QueryValue::Regex(regex::Regex::new("^(traefik|nginx)$").unwrap()),
        };
        assert!(m.matches(Some("q=awesome&q=nginx")));
        assert!(!m.matches(Some("q=NGINX")));
    }

    #[test]
    fn v2_template_uses_the_first_value() {
        let t = QueryTemplate {
            key: "foo".into(),
            re: regex::Regex::new("^foo=(?P<v0>[0-9]+)$").unwrap(),
        };
        assert!(t.matches(Some("foo=12&foo=x")));
        assert!(!t.matches(Some("foo=x&foo=12")));
        assert!(t.matches(Some("a=b;foo=7")));
        assert!(!t.matches(Some("bar=1")));
        assert!(!t.matches(None));
    }

    #[test]
    fn unescape_like_go() {
        assert_eq!(unescape("a+b%41").unwrap().as_ref(), b"a bA");
        assert!(unescape("%").is_none());
        assert!(unescape("%4").is_none());
        assert!(unescape("%zz").is_none());
        assert_eq!(unescape("%ff").unwrap().as_ref(), b"\xff");
    }
}
