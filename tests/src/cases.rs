//! The conformance data, loaded from `tests/data/conformance/` (a copy of the
//! project's shared `conformance/` folder; a test checks the copy is current).
//!
//! Loading fails loudly (a panic naming the path) when a file is missing or does
//! not parse: a conformance test that silently runs zero cases proves nothing.
//!
//! # Example
//!
//! ```no_run
//! let cases = portico_e2e::cases::rules();
//! assert!(cases.iter().any(|c| !c.valid));
//! ```

use std::{
    collections::BTreeMap,
    net::{IpAddr, SocketAddr},
    path::PathBuf,
};

use serde::{Deserialize, de::DeserializeOwned};

/// One rule of `rules-public.yaml` with its requests.
#[derive(Clone, Debug, Deserialize)]
pub struct RuleCase {
    /// The case id (`http-016`).
    pub id: String,
    /// The matcher or topic.
    pub group: String,
    /// `entrypoint` when the expectation needs the entrypoint's path pipeline.
    #[serde(default)]
    pub layer: Option<String>,
    /// The rule as written.
    pub rule: String,
    /// Whether configuration loading must accept the rule.
    pub valid: bool,
    /// Requests and whether each must match.
    #[serde(default)]
    pub requests: Vec<CaseRequest>,
}

/// One request of a [`RuleCase`].
#[derive(Clone, Debug, Deserialize)]
pub struct CaseRequest {
    /// The method, sent as written (case included).
    pub method: String,
    /// An absolute URL (`https://example.com/x?y`) or a bare target (`/`).
    pub url: String,
    /// Extra headers; `Host` here overrides the URL authority (`""` = an empty
    /// `Host` header).
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderValues>,
    /// The client address the case assumes.
    #[serde(default)]
    pub remote: Option<String>,
    /// Send the absolute URL as the request target.
    #[serde(default)]
    pub absolute_form: bool,
    /// The exact bytes for `absolute_form`: a whole request when it contains a
    /// line break, else the request target.
    #[serde(default)]
    pub raw: Option<String>,
    /// Whether the rule must match.
    #[serde(rename = "match")]
    pub matches: bool,
}

/// A header's value(s): one field line or several.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum HeaderValues {
    /// One field line.
    One(String),
    /// One field line per value.
    Many(Vec<String>),
}

/// Where a [`CaseRequest`] can be sent from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The default client address (the case assumes `127.0.0.1`, or nothing).
    Default,
    /// A loopback address other than `127.0.0.1` to bind the client socket to.
    Loopback(IpAddr),
    /// An address a local client cannot have (not in 127.0.0.0/8, or not an IP).
    Unreachable,
}

/// `path-normalization.yaml`.
#[derive(Clone, Debug, Deserialize)]
pub struct PathCases {
    /// `{raw, path}`: URL path after sanitizing.
    pub sanitize: Vec<RawPath>,
    /// `{raw, path, raw_path}`: `raw_path` is what is forwarded.
    pub operations: Vec<Operation>,
    /// `{raw, routing_path}`: what `Path` rules are matched against.
    pub routing_path: Vec<RoutingPath>,
    /// `{sanitize_path, raw, path}`.
    pub sanitize_docs: Vec<SanitizeDoc>,
    /// `{encode_query_semicolons, query, forwarded_query}`.
    pub query_semicolons: Vec<QuerySemicolons>,
    /// `{url, status}`.
    pub deny_fragment: Vec<UrlStatus>,
    /// `{raw, status}`.
    pub malformed_percent: Vec<RawStatus>,
}

/// A raw path and the sanitized path.
#[derive(Clone, Debug, Deserialize)]
pub struct RawPath {
    /// As sent.
    pub raw: String,
    /// After the pipeline.
    pub path: String,
}

/// A raw path, the decoded path and the escaped path forwarded upstream.
#[derive(Clone, Debug, Deserialize)]
pub struct Operation {
    /// As sent.
    pub raw: String,
    /// Decoded, after the pipeline.
    pub path: String,
    /// Escaped, as forwarded.
    pub raw_path: String,
}

/// A raw path and its routing path.
#[derive(Clone, Debug, Deserialize)]
pub struct RoutingPath {
    /// As sent.
    pub raw: String,
    /// What `Path` rules see.
    pub routing_path: String,
}

/// A documented `sanitizePath` example.
#[derive(Clone, Debug, Deserialize)]
pub struct SanitizeDoc {
    /// `http.sanitizePath`.
    pub sanitize_path: bool,
    /// As sent.
    pub raw: String,
    /// After the pipeline.
    pub path: String,
}

/// A documented `encodeQuerySemicolons` example.
#[derive(Clone, Debug, Deserialize)]
pub struct QuerySemicolons {
    /// `http.encodeQuerySemicolons`.
    pub encode_query_semicolons: bool,
    /// As sent.
    pub query: String,
    /// As forwarded.
    pub forwarded_query: String,
}

/// A URL and the status it gets.
#[derive(Clone, Debug, Deserialize)]
pub struct UrlStatus {
    /// The URL.
    pub url: String,
    /// The expected status.
    pub status: u16,
}

/// A raw path and the status it gets.
#[derive(Clone, Debug, Deserialize)]
pub struct RawStatus {
    /// As sent.
    pub raw: String,
    /// The expected status.
    pub status: u16,
}

/// The rule cases of `rules-public.yaml`.
pub fn rules() -> Vec<RuleCase> {
    load("rules-public.yaml")
}

/// The cases of `path-normalization.yaml`.
pub fn paths() -> PathCases {
    load("path-normalization.yaml")
}

/// `tests/data/conformance/<name>`.
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/conformance")
        .join(name)
}

fn load<T: DeserializeOwned>(name: &str) -> T {
    let path = path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "conformance file {} is missing or unreadable: {e}",
            path.display()
        )
    });
    serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("conformance file {} does not parse: {e}", path.display()))
}

// === impl CaseRequest ===

impl CaseRequest {
    /// The request as bytes on the wire, ending with `Connection: close`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let whole_request = self
            .raw
            .as_deref()
            .filter(|raw| self.absolute_form && raw.contains('\n'));
        if let Some(raw) = whole_request {
            return raw.as_bytes().to_vec();
        }
        let (authority, target) = split_url(&self.url);
        let target = if self.absolute_form {
            self.raw.clone().unwrap_or_else(|| self.url.clone())
        } else {
            target
        };
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, target);
        let host = match self.headers.get("Host") {
            Some(HeaderValues::One(h)) => Some(h.clone()),
            Some(HeaderValues::Many(hs)) => hs.first().cloned(),
            None => authority,
        };
        if let Some(host) = host {
            out.push_str(&format!("Host: {host}\r\n"));
        }
        for (name, values) in self.headers.iter().filter(|(n, _)| *n != "Host") {
            let values = match values {
                HeaderValues::One(v) => std::slice::from_ref(v),
                HeaderValues::Many(vs) => vs.as_slice(),
            };
            for value in values {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        out.push_str("Connection: close\r\n\r\n");
        out.into_bytes()
    }

    /// Where the request must come from.
    pub fn source(&self) -> Source {
        let Some(remote) = &self.remote else {
            return Source::Default;
        };
        let Ok(addr) = remote.parse::<SocketAddr>() else {
            return Source::Unreachable;
        };
        match addr.ip() {
            IpAddr::V4(ip) if ip == std::net::Ipv4Addr::LOCALHOST => Source::Default,
            IpAddr::V4(ip) if ip.is_loopback() => Source::Loopback(addr.ip()),
            _ => Source::Unreachable,
        }
    }
}

/// Splits a URL into its authority (if absolute) and its origin-form target.
fn split_url(url: &str) -> (Option<String>, String) {
    let Some((_, rest)) = url.split_once("://") else {
        return (None, url.to_owned());
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(end);
    let target = if target.starts_with('/') {
        target.to_owned()
    } else {
        format!("/{target}")
    };
    (Some(authority.to_owned()), target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_authority_and_target() {
        assert_eq!(
            split_url("https://example.com"),
            (Some("example.com".to_owned()), "/".to_owned())
        );
        assert_eq!(
            split_url("https://example.com?q=1"),
            (Some("example.com".to_owned()), "/?q=1".to_owned())
        );
        assert_eq!(
            split_url("http://foo/foo%20bar"),
            (Some("foo".to_owned()), "/foo%20bar".to_owned())
        );
        assert_eq!(split_url("/"), (None, "/".to_owned()));
    }

    #[test]
    fn requests_become_exact_bytes() {
        let request: CaseRequest = serde_yaml::from_str(
            "{method: get, url: 'http://example.com?q=1', headers: {Host: '', X-A: [one, two]}, match: true}",
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(request.to_bytes()).unwrap(),
            "get /?q=1 HTTP/1.1\r\nHost: \r\nX-A: one\r\nX-A: two\r\nConnection: close\r\n\r\n"
        );
        let absolute: CaseRequest = serde_yaml::from_str(
            "{method: GET, url: 'http://example.com/a', absolute_form: true, raw: 'http://example.com/a', headers: {Host: other}, match: true}",
        )
        .unwrap();
        assert!(
            String::from_utf8(absolute.to_bytes())
                .unwrap()
                .starts_with("GET http://example.com/a HTTP/1.1\r\nHost: other\r\n")
        );
        assert_eq!(absolute.source(), Source::Default);
        let far: CaseRequest =
            serde_yaml::from_str("{method: GET, url: /, remote: '10.0.0.1:1', match: true}")
                .unwrap();
        assert_eq!(far.source(), Source::Unreachable);
    }

    #[test]
    fn both_files_load() {
        assert!(rules().len() > 50);
        assert!(!paths().sanitize.is_empty());
    }
}
