//! Request and response headers across the proxy, and the byte-exact request
//! line.

use portico_e2e::{
    EXCHANGE_LIMIT, catch_all,
    routing::{Router, Routing, Service},
    send_raw,
    whoami::Seen,
    wire, within,
};
use portico_test_support::{client, proxy, upstream};

use super::{scripted_backend, seen_with};

const FORWARDED_INSTALL: &str = r#"
entryPoints:
  web:
    address: "127.0.0.1:0"
  trusted:
    address: "127.0.0.1:0"
    forwardedHeaders:
      trustedIPs: ["127.0.0.1", "10.0.0.0/8"]
  insecure:
    address: "127.0.0.1:0"
    forwardedHeaders:
      insecure: true
  others:
    address: "127.0.0.1:0"
    forwardedHeaders:
      trustedIPs: ["10.0.0.0/8"]
"#;

/// Headers a client might send to spoof its origin.
const SPOOFED: &[(&str, &str)] = &[
    ("X-Forwarded-For", "6.6.6.6"),
    ("X-Forwarded-Proto", "https"),
    ("X-Forwarded-Host", "evil.example.com"),
    ("X-Forwarded-Port", "4443"),
    ("X-Forwarded-Server", "evil-server"),
    ("X-Forwarded-Prefix", "/evil"),
    ("X-Forwarded-Uri", "/evil"),
    ("X-Forwarded-Method", "DELETE"),
    ("X-Real-Ip", "6.6.6.6"),
    ("X_Forwarded_For", "7.7.7.7"),
    ("X_Real_Ip", "7.7.7.7"),
    ("X_Forwarded_Host", "evil.example.com"),
];

#[tokio::test]
async fn forwarded_headers_are_set_for_the_backend() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let seen = seen_with(proxy.addr("web"), "example.com:8123", "/", &[]).await;
    assert_eq!(
        seen.header("x-forwarded-for"),
        Some("127.0.0.1"),
        "{seen:?}"
    );
    assert_eq!(seen.header("x-real-ip"), Some("127.0.0.1"));
    assert_eq!(seen.header("x-forwarded-proto"), Some("http"));
    assert_eq!(seen.header("x-forwarded-host"), Some("example.com:8123"));
    assert_eq!(seen.header("x-forwarded-port"), Some("8123"));
    assert!(seen.hostname.is_some());
    assert_eq!(
        seen.header("x-forwarded-server"),
        seen.hostname.as_deref(),
        "this machine's name"
    );

    let seen = seen_with(proxy.addr("web"), "example.com", "/", &[]).await;
    assert_eq!(
        seen.header("x-forwarded-port"),
        Some("80"),
        "no port in Host: 80 for http"
    );
}

#[tokio::test]
async fn untrusted_clients_cannot_spoof_forwarded_headers() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(FORWARDED_INSTALL), &backend.url()).await;
    for ep in ["web", "others"] {
        let seen = seen_with(proxy.addr(ep), "example.com", "/", SPOOFED).await;
        assert_eq!(
            seen.header_all("x-forwarded-for"),
            ["127.0.0.1"],
            "{ep}: {seen:?}"
        );
        assert_eq!(seen.header("x-real-ip"), Some("127.0.0.1"), "{ep}");
        assert_eq!(seen.header("x-forwarded-proto"), Some("http"), "{ep}");
        assert_eq!(seen.header("x-forwarded-host"), Some("example.com"), "{ep}");
        assert_eq!(seen.header("x-forwarded-port"), Some("80"), "{ep}");
        assert_ne!(
            seen.header("x-forwarded-server"),
            Some("evil-server"),
            "{ep}"
        );
        for gone in [
            "x-forwarded-prefix",
            "x-forwarded-uri",
            "x-forwarded-method",
            "x_forwarded_for",
            "x_real_ip",
            "x_forwarded_host",
        ] {
            assert_eq!(
                seen.header(gone),
                None,
                "{ep}: {gone} from an untrusted client must be removed"
            );
        }
    }
}

#[tokio::test]
async fn trusted_clients_keep_their_forwarded_headers() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(FORWARDED_INSTALL), &backend.url()).await;
    for ep in ["trusted", "insecure"] {
        let seen = seen_with(proxy.addr(ep), "example.com", "/", SPOOFED).await;
        assert_eq!(
            seen.header("x-forwarded-for"),
            Some("6.6.6.6, 127.0.0.1"),
            "{ep}: {seen:?}"
        );
        assert_eq!(seen.header("x-real-ip"), Some("6.6.6.6"), "{ep}");
        assert_eq!(seen.header("x-forwarded-proto"), Some("https"), "{ep}");
        assert_eq!(
            seen.header("x-forwarded-host"),
            Some("evil.example.com"),
            "{ep}"
        );
        assert_eq!(seen.header("x-forwarded-port"), Some("4443"), "{ep}");
        assert_eq!(seen.header("x-forwarded-prefix"), Some("/evil"), "{ep}");
        assert_eq!(seen.header("x_forwarded_for"), Some("7.7.7.7"), "{ep}");
        assert_eq!(seen.header("x_real_ip"), Some("7.7.7.7"), "{ep}");
    }
}

#[tokio::test]
async fn x_forwarded_for_lines_are_joined_then_appended() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(FORWARDED_INSTALL), &backend.url()).await;
    let headers = [
        ("X-Forwarded-For", "1.1.1.1"),
        ("X-Forwarded-For", "2.2.2.2, 3.3.3.3"),
    ];
    let seen = seen_with(proxy.addr("trusted"), "example.com", "/", &headers).await;
    assert_eq!(
        seen.header_all("x-forwarded-for"),
        ["1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1"],
        "{seen:?}"
    );
}

#[tokio::test]
async fn hop_by_hop_headers_are_removed() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let headers = [
        ("Connection", "close, X-Hop"),
        ("X-Hop", "1"),
        ("X-End-To-End", "kept"),
        ("Keep-Alive", "timeout=5"),
        ("TE", "gzip"),
        ("Proxy-Connection", "keep-alive"),
        ("Proxy-Authorization", "Basic Zm9vOmJhcg=="),
        ("Trailer", "X-Checksum"),
    ];
    let response = send_raw(
        proxy.addr("web"),
        &wire::request("GET", "/", Some("example.com"), &headers),
    )
    .await;
    let seen = Seen::parse(&response.text()).expect("whoami dump");
    assert_eq!(seen.header("x-end-to-end"), Some("kept"), "{seen:?}");
    for gone in [
        "x-hop",
        "keep-alive",
        "te",
        "proxy-connection",
        "proxy-authorization",
        "trailer",
    ] {
        assert_eq!(seen.header(gone), None, "{gone} is hop-by-hop: {seen:?}");
    }
    assert!(
        !seen
            .header_all("connection")
            .iter()
            .any(|v| v.to_ascii_lowercase().contains("x-hop")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn te_trailers_survives_hop_by_hop_removal() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let seen = seen_with(
        proxy.addr("web"),
        "example.com",
        "/",
        &[("TE", "gzip, trailers")],
    )
    .await;
    assert_eq!(seen.header_all("te"), ["trailers"], "{seen:?}");
}

#[tokio::test]
async fn connection_header_cannot_strip_forwarded_headers() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let headers = [(
        "Connection",
        "close, X-Forwarded-For, X-Real-Ip, X-Forwarded-Host, X-Forwarded-Proto",
    )];
    let response = send_raw(
        proxy.addr("web"),
        &wire::request("GET", "/", Some("example.com"), &headers),
    )
    .await;
    let seen = Seen::parse(&response.text()).expect("whoami dump");
    assert_eq!(
        seen.header("x-forwarded-for"),
        Some("127.0.0.1"),
        "{seen:?}"
    );
    assert_eq!(seen.header("x-real-ip"), Some("127.0.0.1"), "{seen:?}");
    assert_eq!(
        seen.header("x-forwarded-host"),
        Some("example.com"),
        "{seen:?}"
    );
    assert_eq!(seen.header("x-forwarded-proto"), Some("http"), "{seen:?}");
}

#[tokio::test]
async fn connection_header_cannot_strip_a_trusted_clients_forwarded_headers() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(Some(FORWARDED_INSTALL), &backend.url()).await;
    let headers = [
        ("Connection", "close, X-Forwarded-For, X-Forwarded-Proto"),
        ("X-Forwarded-For", "1.2.3.4"),
        ("X-Forwarded-Proto", "https"),
    ];
    let response = send_raw(
        proxy.addr("trusted"),
        &wire::request("GET", "/", Some("example.com"), &headers),
    )
    .await;
    let seen = Seen::parse(&response.text()).expect("whoami dump");
    assert_eq!(
        seen.header("x-forwarded-for"),
        Some("1.2.3.4, 127.0.0.1"),
        "{seen:?}"
    );
    assert_eq!(seen.header("x-forwarded-proto"), Some("https"), "{seen:?}");
}

#[tokio::test]
async fn host_header_is_passed_through_by_default() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let seen = seen_with(proxy.addr("web"), "Public.Example.com:8443", "/", &[]).await;
    assert_eq!(seen.header("host"), Some("Public.Example.com:8443"));
}

#[tokio::test]
async fn pass_host_header_false_sends_the_backend_authority() {
    let backend = upstream::whoami("backend").await;
    let routing = Routing::new()
        .router("all", Router::new("PathPrefix(`/`)", "backend"))
        .service_spec(
            "backend",
            Service::new([backend.url()]).pass_host_header(false),
        );
    let proxy = proxy::builder()
        .routing("r.yaml", &routing.yaml())
        .start()
        .await;
    let seen = seen_with(proxy.addr("web"), "public.example.com", "/", &[]).await;
    assert_eq!(
        seen.header("host"),
        Some(backend.addr().to_string().as_str())
    );
    assert_eq!(seen.header("x-forwarded-host"), Some("public.example.com"));
}

#[tokio::test]
async fn method_path_and_query_are_forwarded_byte_exact() {
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    for (method, target) in [
        ("PURGE", "/a%2Fb?x=1&y=%20"),
        ("GET", "/a%2Fb?x=1&y=%20"),
        ("DELETE", "/items/42?force=true"),
        ("GET", "/q?a=%7e&b=a+b&c=%2F&d"),
        ("OPTIONS", "/caf%C3%A9?name=%E2%9C%93"),
    ] {
        let response = send_raw(
            proxy.addr("web"),
            &wire::request(
                method,
                target,
                Some("example.com"),
                &[("Connection", "close")],
            ),
        )
        .await;
        let seen = Seen::parse(&response.text())
            .unwrap_or_else(|| panic!("{method} {target}: {}", response.text()));
        assert_eq!(
            (seen.method.as_str(), seen.target.as_str()),
            (method, target)
        );
    }
}

#[tokio::test]
async fn hop_by_hop_response_headers_are_removed() {
    let backend = scripted_backend(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: X-Resp-Hop\r\nX-Resp-Hop: 1\r\n\
          Keep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\nX-Kept: yes\r\n\r\nok",
    )
    .await;
    let proxy = catch_all(None, &backend.url()).await;
    let reply = within(
        EXCHANGE_LIMIT,
        "request",
        client::get(proxy.addr("web"), "example.com", "/"),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "ok");
    assert_eq!(reply.header("x-kept"), Some("yes"));
    for gone in ["x-resp-hop", "keep-alive", "proxy-authenticate"] {
        assert_eq!(
            reply.header(gone),
            None,
            "{gone} is hop-by-hop: {:?}",
            reply.headers
        );
    }
}
