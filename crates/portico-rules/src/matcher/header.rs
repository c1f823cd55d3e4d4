//! `Header` and `HeaderRegexp` (v2: `Headers`, `HeadersRegexp`).

use http::{HeaderMap, HeaderName};
use regex::Regex;

/// Headers Go's HTTP server moves out of the header map before routing, so a rule on them
/// never matches in Traefik.
const NOT_IN_GO_HEADER_MAP: &[&str] = &["host", "transfer-encoding"];

/// What a header field line must hold.
#[derive(Clone, Debug)]
pub(crate) enum HeaderValue {
    /// Equal, byte for byte (case-sensitive).
    Exact(String),
    /// The regexp matches (unanchored).
    Regex(Regex),
}

/// One `Header(name, value)` condition.
#[derive(Clone, Debug)]
pub(crate) struct HeaderMatch {
    /// `None` when no request can carry the header in Traefik (invalid name, `Host`).
    name: Option<HeaderName>,
    value: HeaderValue,
}

// === impl HeaderMatch ===

impl HeaderMatch {
    /// Builds the condition; the second value is a warning for names that never match.
    pub(crate) fn new(name: &str, value: HeaderValue) -> (Self, Option<String>) {
        let parsed = HeaderName::from_bytes(name.as_bytes()).ok();
        let warning = match &parsed {
            None => Some(format!(
                "`{name}` is not a valid header name: this matcher never matches"
            )),
            Some(n) if NOT_IN_GO_HEADER_MAP.contains(&n.as_str()) => Some(format!(
                "Traefik never matches a `{name}` header rule (Go removes it from the header map){}",
                if n == http::header::HOST {
                    ": use Host(...) or HostRegexp(...)"
                } else {
                    ""
                }
            )),
            Some(_) => None,
        };
        let name = parsed.filter(|n| !NOT_IN_GO_HEADER_MAP.contains(&n.as_str()));
        (Self { name, value }, warning)
    }

    /// Whether any field line of the header satisfies the value (lists are not split).
    pub(crate) fn matches(&self, headers: &HeaderMap) -> bool {
        let Some(name) = &self.name else {
            return false;
        };
        headers.get_all(name).iter().any(|line| match &self.value {
            HeaderValue::Exact(v) => line.as_bytes() == v.as_bytes(),
            HeaderValue::Regex(re) => match std::str::from_utf8(line.as_bytes()) {
                Ok(s) => re.is_match(s),
                Err(_) => re.is_match(&String::from_utf8_lossy(line.as_bytes())),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{HeaderMatch, HeaderValue};
    use http::HeaderMap;

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                http::HeaderValue::from_bytes(v).unwrap(),
            );
        }
        map
    }

    #[test]
    fn canonical_name_any_line_case_sensitive_value() {
        let (m, warning) =
            HeaderMatch::new("x-forwarded-proto", HeaderValue::Exact("https".into()));
        assert!(warning.is_none());
        assert!(m.matches(&headers(&[("X-Forwarded-Proto", b"https")])));
        assert!(m.matches(&headers(&[
            ("x-forwarded-proto", b"http"),
            ("x-forwarded-proto", b"https")
        ])));
        assert!(!m.matches(&headers(&[("x-forwarded-proto", b"http, https")])));
        assert!(!m.matches(&headers(&[("x-forwarded-proto", b"HTTPS")])));
        assert!(!m.matches(&headers(&[])));
    }

    #[test]
    fn regex_on_non_utf8_line() {
        let re = regex::Regex::new("^caf.$").unwrap();
        let (m, _) = HeaderMatch::new("X-A", HeaderValue::Regex(re));
        assert!(m.matches(&headers(&[("x-a", b"caf\xe9")])));
    }

    #[test]
    fn host_and_invalid_names_never_match() {
        let (m, warning) = HeaderMatch::new("Host", HeaderValue::Exact("a".into()));
        assert!(warning.unwrap().contains("use Host(...)"));
        assert!(!m.matches(&headers(&[("host", b"a")])));
        let (m, warning) = HeaderMatch::new("X Y", HeaderValue::Exact("a".into()));
        assert!(warning.unwrap().contains("not a valid header name"));
        assert!(!m.matches(&headers(&[("x-y", b"a")])));
    }
}
