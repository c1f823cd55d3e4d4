//! v3 rule behaviour beyond the shared conformance file, from Traefik's matcher tests
//! (`pkg/muxer/http/matcher_test.go`, `mux_test.go`), its docs and code reading.

mod common;

use common::{TestRequest, expect_urls, v3, v3_err};

#[test]
fn host_ports_case_trailing_dots_punycode() {
    let rule = v3("Host(`example.com`)");
    expect_urls(
        &rule,
        &[
            ("https://example.com", true),
            ("https://example.com:8080", true),
            ("https://EXAMPLE.COM/path", true),
            ("https://example.com./path", true),
            ("https://example.org", false),
        ],
    );
    expect_urls(
        &v3("Host(`EXAMPLE.COM.`)"),
        &[("https://example.com", true)],
    );
    expect_urls(
        &v3("Host(`xn--9t9h.com`)"),
        &[("https://xn--9t9h.com/p", true)],
    );
    expect_urls(
        &v3("Host(`127.0.0.1`)"),
        &[("http://127.0.0.1:8080/", true)],
    );
    let v6 = v3("Host(`::1`)");
    assert!(
        TestRequest::get("/")
            .header("host", "[::1]:80")
            .matches(&v6)
    );
    assert!(TestRequest::get("/").header("host", "[::1]").matches(&v6));
    // No Host header at all (HTTP/1.0): only Host(`*`) matches.
    assert!(!TestRequest::get("/").matches(&rule));
    assert!(TestRequest::get("/").matches(&v3("Host(`*`)")));
    assert!(
        TestRequest::get("/")
            .header("host", "")
            .matches(&v3("Host(`*`)"))
    );
    let err = v3_err("Host(`🦭.com`)");
    assert!(err.message.contains("non-ASCII"), "{err}");
    assert_eq!(err.position, 6);
}

#[test]
fn host_wildcards() {
    let rule = v3("Host(`*.example.com`)");
    expect_urls(
        &rule,
        &[
            ("https://a.example.com", true),
            ("https://A.EXAMPLE.com:443", true),
            ("https://a.example.com.", true),
            ("https://a.b.example.com", false),
            ("https://example.com", false),
            ("https://aexample.com", false),
        ],
    );
    let star = v3("Host(`*`)");
    expect_urls(
        &star,
        &[
            ("https://anything.example", true),
            ("http://localhost/", true),
        ],
    );
    assert_eq!(star.hosts(), ["*"]);
    assert!(v3("Host(`**.example.com`)").warnings()[0].contains("never matches"));
    assert!(v3("Host(`example.com:8080`)").warnings()[0].contains("without its port"));
}

#[test]
fn host_regexp_and_the_empty_string_quirk() {
    let rule = v3(r"HostRegexp(`^[a-z]+\.example\.com$`)");
    expect_urls(
        &rule,
        &[
            ("https://www.example.com:8080", true),
            ("https://WWW.example.com", true),
            ("https://a.b.example.com", false),
        ],
    );
    // Matches the lower-cased host: an upper-case class never matches.
    expect_urls(
        &v3(r"HostRegexp(`^[A-Z]+\.com$`)"),
        &[("https://EXAMPLE.com", false)],
    );
    // A pattern matching "" matches every request (CNAME-flattened host is "").
    for src in [
        "HostRegexp(`.*`)",
        "HostRegexp(`^[0-9]*$`)",
        "HostRegexp(`x?`)",
    ] {
        expect_urls(&v3(src), &[("https://example.com", true)]);
        assert!(
            TestRequest::get("/").matches(&v3(src)),
            "{src} without host"
        );
    }
    expect_urls(
        &v3("HostRegexp(`example`)"),
        &[("https://www.example.org", true)],
    );
    let warn = v3("HostRegexp(`{domain:[a-z]+}.com`)");
    assert!(
        warn.warnings()[0].contains("write the bare regexp `[a-z]+`"),
        "{:?}",
        warn.warnings()
    );
    expect_urls(&warn, &[("https://example.com", false)]);
    assert!(v3_err("HostRegexp(`é`)").message.contains("non-ASCII"));
    let err = v3_err("HostRegexp(`(a`)");
    assert!(
        err.message.starts_with("invalid HostRegexp regexp `(a`"),
        "{err}"
    );
}

#[test]
fn method_upper_cases_the_rule_only() {
    let rule = v3("Method(`get`)");
    assert!(TestRequest::get("https://e.com").matches(&rule));
    assert!(
        !TestRequest::get("https://e.com")
            .method("POST")
            .matches(&rule)
    );
    assert!(
        !TestRequest::get("https://e.com")
            .method("get")
            .matches(&rule)
    );
    assert!(
        TestRequest::get("/")
            .method("PURGE")
            .matches(&v3("Method(`purge`)"))
    );
    let err = v3_err("Method(`GET`, `POST`)");
    assert!(
        err.message
            .contains("write Method(`GET`) || Method(`POST`), or set ruleSyntax: v2"),
        "{err}"
    );
}

#[test]
fn paths_use_the_routing_path() {
    expect_urls(
        &v3("Path(`/css`)"),
        &[
            ("https://e.com/css", true),
            ("https://e.com/css/", false),
            ("https://e.com/%63ss", true),
            ("https://e.com/CSS", false),
        ],
    );
    expect_urls(
        &v3("PathPrefix(`/products`)"),
        &[
            ("https://e.com/products", true),
            ("https://e.com/products-for-sale", true),
            ("https://e.com/product", false),
        ],
    );
    expect_urls(
        &v3("PathPrefix(`/a/b`)"),
        &[
            ("https://e.com/a%2Fb", false),
            ("https://e.com/a/b%20c", true),
        ],
    );
    expect_urls(&v3("Path(`/a%2Fb`)"), &[("https://e.com/a%2fb", true)]);
    let v2ish = v3(r#"PathRegexp("/{path:(css|js)}")"#);
    expect_urls(
        &v2ish,
        &[
            ("https://e.com/css", false),
            ("https://e.com/%7Bpath:css%7D", true),
            ("https://e.com/%7Bpath:js%7D/", true),
        ],
    );
    expect_urls(
        &v3(r"PathRegexp(`\.(jpeg|jpg|png)$`)"),
        &[
            ("https://e.com/a/b.png", true),
            ("https://e.com/a.png/x", false),
        ],
    );
    assert!(
        v3_err("Path(`css`)")
            .message
            .contains("must start with `/`")
    );
    assert!(
        v3_err("PathPrefix(`css`)")
            .message
            .contains("must start with `/`")
    );
    assert!(v3("Path(`/a/{id}`)").warnings()[0].contains("use PathRegexp"));
    let err = v3_err("PathRegexp(`/(css`)");
    assert_eq!(err.position, 11, "{err}");
    let err = v3_err("PathRegexp(`/a{2000}`)");
    assert_eq!(
        err.position, 14,
        "translator errors point into raw strings: {err}"
    );
    assert!(
        err.message.contains("invalid repeat count `{2000}`"),
        "{err}"
    );
}

#[test]
fn headers_canonical_key_and_field_lines() {
    let rule = v3("Header(`x-forwarded-proto`, `https`)");
    let req = |values: &[&str]| {
        values
            .iter()
            .fold(TestRequest::get("https://e.com"), |r, v| {
                r.header("X-Forwarded-Proto", v)
            })
    };
    assert!(req(&["https"]).matches(&rule));
    assert!(req(&["http", "https"]).matches(&rule));
    assert!(!req(&["http, https"]).matches(&rule), "lists are not split");
    assert!(!req(&["HTTPS"]).matches(&rule));
    assert!(
        !TestRequest::get("/")
            .header("X-Forwarded-Host", "https")
            .matches(&rule)
    );
    let re = v3("HeaderRegexp(`Content-Type`, `(?i)^application/(json|yaml)$`)");
    assert!(
        TestRequest::get("/")
            .header("content-type", "Application/JSON")
            .matches(&re)
    );
    assert!(
        !TestRequest::get("/")
            .header("content-type", "text/json")
            .matches(&re)
    );
    let host = v3("Header(`Host`, `e.com`)");
    assert!(!TestRequest::get("https://e.com").matches(&host));
    assert!(host.warnings()[0].contains("Go removes it"));
    assert!(
        v3_err("Header(`X-A`)")
            .message
            .contains("it takes 2 (name, value), got 1")
    );
    assert!(v3_err("Header(``, `a`)").message.contains("empty argument"));
}

#[test]
fn query_form_decoding_and_one_argument_form() {
    let rule = v3("Query(`q`, `a b`)");
    expect_urls(
        &rule,
        &[
            ("https://e.com/?q=a+b", true),
            ("https://e.com/?q=a%20b", true),
            ("https://e.com/?x=1&q=a+b", true),
            ("https://e.com/?q=a", false),
            ("https://e.com/", false),
        ],
    );
    let present = v3("Query(`mobile`)");
    expect_urls(
        &present,
        &[
            ("https://e.com/?mobile", true),
            ("https://e.com/?mobile=", true),
            ("https://e.com/?mobile=true", false),
            ("https://e.com/", false),
        ],
    );
    expect_urls(
        &v3("QueryRegexp(`mobile`)"),
        &[("https://e.com/?mobile", true)],
    );
    expect_urls(
        &v3("QueryRegexp(`q`, `^.*$`)"),
        &[
            ("https://e.com/?q=TRAEFIK", true),
            ("https://e.com/?Q=x", false),
        ],
    );
    expect_urls(
        &v3("QueryRegexp(`q`, `{value:(traefik|nginx)}`)"),
        &[
            ("https://e.com/?q=traefik", false),
            ("https://e.com/?q=%7Bvalue:traefik%7D", true),
        ],
    );
    assert!(v3("Query(`a=b`)").warnings()[0].contains("write Query(`a`, `b`)"));
    let warned = v3("QueryRegexp(`q`, `{value:(traefik|nginx)}`)");
    assert!(warned.warnings()[0].contains("bare regexp `(traefik|nginx)`"));
    let warned = v3("HeaderRegexp(`X-Test-Proto`, `http{secure:s?}`)");
    assert!(warned.warnings()[0].contains("bare regexp `s?`"));
    assert!(v3_err("Query(`q`, ``)").message.contains("empty argument"));
    assert!(
        v3_err("Query(`q`, `a`, `b`)")
            .message
            .contains("it takes 1 or 2")
    );
}

#[test]
fn client_ip_v4_v6_cidr_mapped() {
    let ok = |rule: &str, ip: &str| TestRequest::get("/").remote(ip).matches(&v3(rule));
    assert!(ok("ClientIP(`10.76.105.11`)", "10.76.105.11"));
    assert!(ok("ClientIP(`10.76.105.11`)", "::ffff:10.76.105.11"));
    assert!(ok("ClientIP(`::1`)", "::1"));
    assert!(!ok("ClientIP(`::1`)", "127.0.0.1"));
    assert!(ok("ClientIP(`192.168.1.0/24`)", "192.168.1.77"));
    assert!(ok("ClientIP(`192.168.1.0/24`)", "::ffff:192.168.1.77"));
    assert!(!ok("ClientIP(`192.168.1.0/24`)", "192.168.2.1"));
    assert!(ok("ClientIP(`fe80::/10`)", "fe80::1"));
    assert!(!ok("ClientIP(`::/0`)", "10.0.0.1"));
    assert!(
        !TestRequest::get("/").matches(&v3("ClientIP(`0.0.0.0/0`)")),
        "no peer address"
    );
    assert!(
        !TestRequest::get("/")
            .header("X-Forwarded-For", "10.0.0.1")
            .remote("10.0.0.2")
            .matches(&v3("ClientIP(`10.0.0.1`)"))
    );
    assert!(
        v3_err("ClientIP(`1`)")
            .message
            .contains("invalid IP address or CIDR `1`")
    );
    assert!(
        v3_err("ClientIP(`fe80::1%eth0`)")
            .message
            .contains("`fe80::1%eth0`")
    );
    assert!(
        v3_err("ClientIP(`a`, `b`)")
            .message
            .contains("several values is v2 syntax")
    );
}

#[test]
fn not_precedence_and_de_morgan() {
    let rule = v3("!Host(`a.com`) || !Path(`/x`)");
    expect_urls(
        &rule,
        &[
            ("https://a.com/x", false),
            ("https://a.com/y", true),
            ("https://b.com/x", true),
        ],
    );
    let rule = v3("!(Host(`a.com`) && Path(`/x`))");
    expect_urls(
        &rule,
        &[
            ("https://a.com/x", false),
            ("https://a.com/y", true),
            ("https://b.com/x", true),
        ],
    );
    // `!` binds tighter than `&&`, which binds tighter than `||`.
    let rule = v3("Host(`a.com`) || Host(`b.com`) && Path(`/x`)");
    expect_urls(
        &rule,
        &[
            ("https://a.com/y", true),
            ("https://b.com/y", false),
            ("https://b.com/x", true),
        ],
    );
    let rule = v3("!Host(`a.com`) && Path(`/x`)");
    expect_urls(
        &rule,
        &[("https://b.com/x", true), ("https://a.com/x", false)],
    );
    expect_urls(
        &v3("!!!Host(`a.com`)"),
        &[("https://a.com", false), ("https://b.com", true)],
    );
    assert!(
        v3("!Host(`a.com`)").hosts().is_empty(),
        "negated hosts are not domains"
    );
}

#[test]
fn go_string_literals() {
    expect_urls(
        &v3(r#"HostRegexp("^a\\.b$")"#),
        &[("https://a.b", true), ("https://axb", false)],
    );
    let err = v3_err(r#"HostRegexp("^a\.b$")"#);
    assert_eq!(err.position, 14);
    assert!(err.message.contains(r"write `\\.`"), "{err}");
    assert!(
        v3_err("Host('a.com')")
            .message
            .starts_with("single quotes are not allowed")
    );
    expect_urls(&v3("Host(`a.com`,)"), &[("https://a.com", true)]);
    expect_urls(&v3("Host(\n  `a.com`,\n)"), &[("https://a.com", true)]);
    expect_urls(
        &v3("Path(\"/caf\\u00e9\")"),
        &[("https://e.com/caf%C3%A9", true)],
    );
    assert!(
        v3_err("Host(``)")
            .message
            .contains("empty argument for Host")
    );
    assert!(
        v3_err("Host(\"\")")
            .message
            .contains("empty argument for Host")
    );
    assert!(
        v3_err("Host(`a.com`, `b.com`)")
            .message
            .contains("write Host(`a.com`) || Host(`b.com`), or set ruleSyntax: v2")
    );
    assert!(v3("Host(`a.com`...)").warnings()[0].contains("is ignored"));
}

#[test]
fn matcher_name_spellings() {
    for name in ["PathPrefix", "pathprefix", "PATHPREFIX", "Pathprefix"] {
        expect_urls(
            &v3(&format!("{name}(`/css`)")),
            &[("https://e.com/css/x", true)],
        );
    }
    let err = v3_err("pathPrefix(`/css`)");
    assert_eq!(err.position, 0);
    assert!(err.message.contains("write `PathPrefix`"), "{err}");
    assert!(
        v3_err("HostHeader(`a`)")
            .message
            .contains("v2 syntax: use Host(...)")
    );
    assert!(
        v3_err("Headers(`a`, `b`)")
            .message
            .contains("use Header(...)")
    );
    assert!(
        v3_err("HostSNI(`a`)")
            .message
            .contains("TCP router matcher")
    );
    assert_eq!(v3_err("w(`a`)").message, "unknown matcher `w`");
}

#[test]
fn multi_line_rules_and_rendering() {
    let src = "Host(`a.com`) &&\n  (Path(`/a`) ||\n   Path(`/b`))";
    expect_urls(
        &v3(src),
        &[("https://a.com/b", true), ("https://a.com/c", false)],
    );
    let src = "Host(`a.com`)\n  && Path(`/a`)";
    let err = v3_err(src);
    assert_eq!(err.render(src), "  && Path(`/a`)\n  ^");
    assert!(err.message.contains("line break before `&&`"));
    assert_eq!(
        err.to_string(),
        format!("{} at byte {}", err.message, err.position)
    );
}

#[test]
fn default_priority_is_the_byte_length() {
    assert_eq!(v3("Host(`a.com`)").default_priority(), 13);
    assert_eq!(v3("Host(`a.com`)  &&  Path(`/`)").default_priority(), 28);
    assert_eq!(v3("Path(`/é`)").default_priority(), 11);
    // Traefik's docs example: HostRegexp beats Host by length.
    assert_eq!(
        v3(r"HostRegexp(`[a-z]+\.traefik\.com`)").default_priority(),
        34
    );
    assert_eq!(v3("Host(`foobar.traefik.com`)").default_priority(), 26);
}
