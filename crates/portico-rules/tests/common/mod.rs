//! Test helpers: build a request the way a server would see it and match rules on it.

#![allow(dead_code, unreachable_pub)]

use std::net::IpAddr;

use portico_rules::{RequestView, Rule, RuleError, Syntax, canonical_host, routing_path};

/// A request described by URL, as in the conformance file: an absolute URL becomes an
/// origin-form request with a `Host` header (unless one is given or `absolute` is set).
#[derive(Clone, Debug)]
pub struct TestRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub remote: Option<IpAddr>,
    pub absolute: bool,
}

impl TestRequest {
    pub fn get(url: &str) -> Self {
        Self {
            method: "GET".into(),
            url: url.into(),
            headers: Vec::new(),
            remote: None,
            absolute: false,
        }
    }

    pub fn method(mut self, method: &str) -> Self {
        self.method = method.into();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn remote(mut self, ip: &str) -> Self {
        self.remote = Some(ip.parse().expect("test IP"));
        self
    }

    pub fn absolute(mut self) -> Self {
        self.absolute = true;
        self
    }

    /// The request head as hyper would hand it over.
    pub fn parts(&self) -> http::request::Parts {
        let uri: http::Uri = self.url.parse().expect("test URL");
        let has_host = self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("host"));
        let mut builder = http::Request::builder()
            .method(http::Method::from_bytes(self.method.as_bytes()).expect("test method"));
        if self.absolute || uri.authority().is_none() {
            builder = builder.uri(uri);
        } else {
            let origin = uri.path_and_query().map_or("/", |pq| pq.as_str());
            if origin.starts_with('?') {
                builder = builder.uri(format!("/{origin}"));
            } else {
                builder = builder.uri(origin);
            }
            if !has_host {
                let authority = uri.authority().map_or("", |a| a.as_str());
                builder = builder.header("host", authority);
            }
        }
        for (k, v) in &self.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        builder.body(()).expect("test request").into_parts().0
    }

    /// Whether `rule` matches this request (host and routing path as the router computes).
    pub fn matches(&self, rule: &Rule) -> bool {
        let parts = self.parts();
        with_view(&parts, self.remote, |view| rule.matches(view))
    }
}

/// Runs `f` on the view of `parts`.
pub fn with_view<R>(
    parts: &http::request::Parts,
    remote: Option<IpAddr>,
    f: impl FnOnce(&RequestView<'_>) -> R,
) -> R {
    let host = canonical_host(parts);
    let path = routing_path(parts.uri.path());
    let view = RequestView {
        method: &parts.method,
        host: &host,
        path: &path,
        query: parts.uri.query(),
        headers: &parts.headers,
        client_ip: remote,
    };
    f(&view)
}

pub fn v3(src: &str) -> Rule {
    Rule::parse(src, Syntax::V3).unwrap_or_else(|e| panic!("{src}: {}\n{}", e, e.render(src)))
}

pub fn v2(src: &str) -> Rule {
    Rule::parse(src, Syntax::V2).unwrap_or_else(|e| panic!("{src}: {}\n{}", e, e.render(src)))
}

pub fn v3_err(src: &str) -> RuleError {
    match Rule::parse(src, Syntax::V3) {
        Ok(_) => panic!("{src:?} should be rejected"),
        Err(e) => e,
    }
}

pub fn v2_err(src: &str) -> RuleError {
    match Rule::parse(src, Syntax::V2) {
        Ok(_) => panic!("{src:?} should be rejected in v2"),
        Err(e) => e,
    }
}

/// Asserts, for each URL, whether `rule` matches a GET to it.
pub fn expect_urls(rule: &Rule, cases: &[(&str, bool)]) {
    for (url, want) in cases {
        assert_eq!(
            TestRequest::get(url).matches(rule),
            *want,
            "{} on {url}",
            rule.source()
        );
    }
}
