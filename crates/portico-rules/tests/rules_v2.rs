//! `ruleSyntax: v2`, from Traefik's `pkg/muxer/http/matcher_v2_test.go`.

mod common;

use common::{TestRequest, expect_urls, v2, v2_err};

#[test]
fn variadic_hosts_and_host_header_alias() {
    let rule = v2("Host(`example.com`, `example.org`)");
    expect_urls(
        &rule,
        &[
            ("https://example.com:8080", true),
            ("https://EXAMPLE.COM/path", true),
            ("https://example.org/path", true),
            ("https://example.net", false),
            ("https://example.com.", true),
        ],
    );
    assert_eq!(rule.hosts(), ["example.com", "example.org"]);
    expect_urls(&v2("Host(`localhost.`)"), &[("http://localhost/foo", true)]);
    expect_urls(
        &v2("HostHeader(`localhost`)"),
        &[("http://localhost/foo", true), ("http://bar/foo", false)],
    );
    expect_urls(
        &v2("Host(`*.example.com`)"),
        &[("http://a.example.com", false)],
    );
    expect_urls(
        &v2("Host(`nope`,`localhost`) && PathPrefix(`/foo`)"),
        &[("http://localhost/foo", true), ("http://nope/foo", true)],
    );
    assert!(v2_err("Host(`🦭.com`)").message.contains("non-ASCII"));
    assert!(v2_err("Host(``)").message.contains("empty argument"));
}

#[test]
fn host_regexp_templates() {
    expect_urls(
        &v2(r"HostRegexp(`{domain:[a-zA-Z-]+\.com}`)"),
        &[
            ("https://example.com/path", true),
            ("https://example.org", false),
        ],
    );
    expect_urls(
        &v2("HostRegexp(`example.com`, `example.org`)"),
        &[
            ("https://example.com:8080", true),
            ("https://example.org", true),
        ],
    );
    // Text outside braces is literal, so a v3-style regexp never matches.
    expect_urls(
        &v2(r"HostRegexp(`^[A-Z]+\.com$`)"),
        &[("https://EXAMPLE.com", false)],
    );
    expect_urls(
        &v2("HostRegexp(`(example.com`)"),
        &[("https://example.com", false)],
    );
    for (rule, cases) in [
        (
            r"HostRegexp(`{subdomain:(foo\.)?bar\.com}`)",
            [true, true, false],
        ),
        (
            r"HostRegexp(`{subdomain:(?:foo\.)?bar\.com}`)",
            [true, true, false],
        ),
        (
            r"HostRegexp(`{dummy:[a-z-]+\.bar\.com}`)",
            [true, false, false],
        ),
    ] {
        let rule = v2(rule);
        let urls = ["http://foo.bar.com", "http://bar.com", "http://fooubar.com"];
        for (url, want) in urls.iter().zip(cases) {
            assert_eq!(
                TestRequest::get(url).matches(&rule),
                want,
                "{} {url}",
                rule.source()
            );
        }
    }
    expect_urls(
        &v2("HostRegexp(`{dummy:[a-z-]+}.bar.com`)"),
        &[("http://FOO.bar.com", true)],
    );
    expect_urls(
        &v2("HostRegexp(`foo.bar.com`)"),
        &[("http://FOO.bar.com", true)],
    );
    expect_urls(
        &v2("HostRegexp(`{sub}.bar.com`)"),
        &[("http://a.b.bar.com", false)],
    );
    assert!(
        v2_err("HostRegexp(`{a`)")
            .message
            .contains("unbalanced braces")
    );
    assert!(v2("HostRegexp(`{h:.*}:8080`)").warnings()[0].contains("port"));
}

#[test]
fn path_templates() {
    let rule = v2("Path(`/css`, `/js`)");
    expect_urls(
        &rule,
        &[
            ("https://example.com/css", true),
            ("https://example.com/js", true),
            ("https://example.com/css/", false),
        ],
    );
    expect_urls(
        &v2("Path(`/css{path:(/.*)?}`)"),
        &[
            ("https://e.com/css/main.css", true),
            ("https://e.com/css/components/component.css", true),
            ("https://e.com/css.css", false),
        ],
    );
    expect_urls(
        &v2("PathPrefix(`/css-{name:[0-9]?}`)"),
        &[
            ("https://e.com/css-1/main.css", true),
            ("https://e.com/css.css", false),
        ],
    );
    expect_urls(
        &v2("Path(`/users/{id}`)"),
        &[
            ("https://e.com/users/7", true),
            ("https://e.com/users/7/x", false),
        ],
    );
    expect_urls(
        &v2(r#"PathPrefix("/css")"#),
        &[("https://e.com/css/x", true)],
    );
    assert!(
        v2_err("Path(`css`)")
            .message
            .contains("must start with `/`")
    );
    assert!(v2_err("Path(`/{x:(}`)").message.contains("invalid pattern"));
}

#[test]
fn methods_client_ips_headers_and_queries() {
    let rule = v2("Method(`get`, `POST`)");
    assert!(TestRequest::get("/").matches(&rule));
    assert!(TestRequest::get("/").method("POST").matches(&rule));
    assert!(!TestRequest::get("/").method("PUT").matches(&rule));

    let rule = v2("ClientIP(`127.0.0.1`, `192.168.1.0/24`)");
    assert!(TestRequest::get("/").remote("127.0.0.1").matches(&rule));
    assert!(TestRequest::get("/").remote("192.168.1.1").matches(&rule));
    assert!(!TestRequest::get("/").remote("10.0.0.1").matches(&rule));
    assert!(v2_err("ClientIP(`1`)").message.contains("`1`"));

    let rule = v2("Headers(`X-Forwarded-Proto`, `https`, `X-A`, `1`)");
    let both = TestRequest::get("/")
        .header("x-forwarded-proto", "https")
        .header("x-a", "1");
    assert!(both.matches(&rule));
    assert!(
        !TestRequest::get("/")
            .header("x-forwarded-proto", "https")
            .matches(&rule)
    );
    assert!(
        v2_err("Headers(`X-Forwarded-Host`)")
            .message
            .contains("name/value pairs")
    );
    let rule = v2("HeadersRegexp(`Content-Type`, `application/(text|json)`)");
    assert!(
        TestRequest::get("/")
            .header("content-type", "application/json")
            .matches(&rule)
    );
    assert!(
        v2_err("HeadersRegexp(`X`, `(a`)")
            .message
            .contains("invalid HeadersRegexp regexp")
    );

    let rule = v2("Query(`foo=bar`)");
    expect_urls(
        &rule,
        &[
            ("http://e.com/?foo=bar", true),
            ("http://e.com/?foo=baz", false),
            ("http://e.com/", false),
        ],
    );
    expect_urls(
        &v2("Query(`foo=`)"),
        &[
            ("http://e.com/?foo=anything", true),
            ("http://e.com/?x=1", false),
        ],
    );
    expect_urls(
        &v2("Query(`id={id:[0-9]+}`)"),
        &[("http://e.com/?id=42", true), ("http://e.com/?id=x", false)],
    );
    expect_urls(&v2("Query(`a`, `b`)"), &[("http://e.com/?a=b", true)]);
    expect_urls(
        &v2("Query(`a=1`, `b=2`)"),
        &[
            ("http://e.com/?b=2&a=1", true),
            ("http://e.com/?a=1", false),
        ],
    );
    assert!(v2_err("Query(`foo`)").message.contains("`key=value`"));
}

#[test]
fn v3_only_matchers_are_unknown_in_v2() {
    assert!(
        v2_err("Header(`a`, `b`)")
            .message
            .contains("use Headers(...)")
    );
    assert!(
        v2_err("PathRegexp(`^/a`)")
            .message
            .contains("does not exist in v2 syntax")
    );
    assert!(
        v2_err("QueryRegexp(`a`, `b`)")
            .message
            .contains("does not exist in v2 syntax")
    );
    assert!(
        v2("PATHPREFIX(`/a`) && hostheader(`a`)")
            .warnings()
            .is_empty()
    );
}
