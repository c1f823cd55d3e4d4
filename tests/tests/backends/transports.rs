//! `https://` servers through `http.serversTransports`: trusted roots (file and
//! inline PEM), `insecureSkipVerify`, `serverName`, client certificates,
//! `disableHTTP2`, `peerCertSANs`, TLS versions, and the forwarding timeouts.

use std::time::{Duration, Instant};

use portico_test_support::{
    faulty::{self, Fault},
    https::{self, HttpsBackend, ServerTls},
    tls::Ca,
};

use super::{
    block, get, indent, routing, start,
    support::{Blackhole, Files, tls12_backend},
};

/// One router per case: `PathPrefix(prefix)` to a load balancer over `url`,
/// through its own transport when the case has one (the body of
/// `serversTransports.<name>`).
fn routes(cases: &[(&str, &str, Option<&str>)]) -> String {
    let mut routers = String::new();
    let mut services = String::new();
    let mut transports = String::new();
    for (i, (prefix, url, transport)) in cases.iter().enumerate() {
        routers.push_str(&format!(
            "    r{i}:\n      rule: PathPrefix(`{prefix}`)\n      service: s{i}\n"
        ));
        services.push_str(&format!("    s{i}:\n      loadBalancer:\n"));
        if let Some(body) = transport {
            services.push_str(&format!("        serversTransport: t{i}\n"));
            transports.push_str(&format!("    t{i}:\n{}", indent(body, 6)));
        }
        services.push_str(&format!("        servers:\n          - url: \"{url}\"\n"));
    }
    let transports = if transports.is_empty() {
        transports
    } else {
        format!("  serversTransports:\n{transports}")
    };
    format!("http:\n  routers:\n{routers}  services:\n{services}{transports}")
}

/// A CA, its certificate written to a file, and an HTTPS backend named `b1`
/// with a leaf for `names` set up as `tls` says.
struct Secured {
    ca: Ca,
    files: Files,
    ca_file: String,
    backend: HttpsBackend,
}

async fn secured(names: &[&str], tls: ServerTls) -> Secured {
    let ca = Ca::new("backend CA");
    let files = Files::new();
    let ca_file = files.write("backend-ca.pem", &ca.pem());
    let backend = https::start("b1", &ca.leaf(names), tls).await;
    Secured {
        ca,
        files,
        ca_file,
        backend,
    }
}

#[tokio::test]
async fn root_ca_file_makes_the_backend_trusted_and_h2_is_negotiated() {
    let s = secured(&["127.0.0.1"], ServerTls::default()).await;
    let proxy = start(&routing(
        &s.backend.url(),
        Some(&format!("rootCAs:\n  - {}\n", s.ca_file)),
    ))
    .await;

    let reply = get(proxy.addr("web"), "/hello").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.text(), "b1 GET /hello");
    assert_eq!(reply.header("x-http-version"), Some("HTTP/2.0"));
    assert_eq!(reply.header("x-tls-alpn"), Some("h2"));
    let handshakes = s.backend.handshakes();
    assert_eq!(handshakes.len(), 1, "{handshakes:?}");
    assert_eq!(handshakes[0].alpn.as_deref(), Some("h2"));
    // An IP address is verified against the certificate's IP SAN; no SNI is sent.
    assert_eq!(handshakes[0].sni, None);
    // Over h2 the client's host is the `:authority` (any `host` header agrees).
    let requests = s.backend.requests();
    assert_eq!(requests[0].host.as_deref(), Some("example.com"));
    assert!(
        requests[0]
            .host_header
            .as_deref()
            .is_none_or(|h| h == "example.com")
    );
}

#[tokio::test]
async fn inline_root_ca_pem_is_trusted() {
    let s = secured(&["127.0.0.1"], ServerTls::default()).await;
    let transport = format!("rootCAs:\n  - {}", block(&s.ca.pem(), 4));
    let proxy = start(&routing(&s.backend.url(), Some(&transport))).await;
    let reply = get(proxy.addr("web"), "/").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-backend"), Some("b1"));
}

#[tokio::test]
async fn untrusted_backend_certificate_is_a_502_unless_verification_is_skipped() {
    let s = secured(&["127.0.0.1"], ServerTls::default()).await;
    let other_ca = s.files.write("other-ca.pem", &Ca::new("other CA").pem());
    let url = s.backend.url();
    let proxy = start(&routes(&[
        // The default transport trusts the public roots only.
        ("/default", &url, None),
        ("/other-ca", &url, Some(&format!("rootCAs: [{other_ca}]\n"))),
        ("/skip", &url, Some("insecureSkipVerify: true\n")),
    ]))
    .await;
    let addr = proxy.addr("web");

    for path in ["/default", "/other-ca"] {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, 502, "{path}: {}", reply.text());
    }
    assert!(
        s.backend.failed_handshakes() >= 2,
        "the backend saw the proxy abort its handshakes: {}",
        s.backend.failed_handshakes()
    );
    assert!(
        s.backend.requests().is_empty(),
        "{:?}",
        s.backend.requests()
    );

    let reply = get(addr, "/skip").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-http-version"), Some("HTTP/2.0"));
}

#[tokio::test]
async fn server_name_is_sent_as_sni_and_verified_instead_of_the_url_host() {
    let s = secured(&["backend.test"], ServerTls::default()).await;
    let url = s.backend.url();
    let roots = format!("rootCAs: [{}]\n", s.ca_file);
    let proxy = start(&routes(&[
        (
            "/named",
            &url,
            Some(&format!("{roots}serverName: backend.test\n")),
        ),
        ("/unnamed", &url, Some(&roots)),
        (
            "/wrong",
            &url,
            Some(&format!("{roots}serverName: other.test\n")),
        ),
    ]))
    .await;
    let addr = proxy.addr("web");

    let reply = get(addr, "/named").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let handshakes = s.backend.handshakes();
    assert_eq!(handshakes.len(), 1);
    assert_eq!(handshakes[0].sni.as_deref(), Some("backend.test"));

    // The certificate does not name 127.0.0.1, nor other.test.
    for path in ["/unnamed", "/wrong"] {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, 502, "{path}: {}", reply.text());
    }
    assert_eq!(s.backend.requests().len(), 1);
}

#[tokio::test]
async fn client_certificate_is_presented_to_a_backend_that_requires_one() {
    let client_ca = Ca::new("client CA");
    let s = secured(
        &["127.0.0.1"],
        ServerTls::default().require_client_cert(&client_ca.pem()),
    )
    .await;
    let (cert, key) = s.files.leaf(&client_ca.client("portico-proxy"), "proxy");
    let (rogue_cert, rogue_key) = s
        .files
        .leaf(&Ca::new("rogue CA").client("portico-proxy"), "rogue");
    let url = s.backend.url();
    let roots = format!("rootCAs: [{}]\n", s.ca_file);
    let with = |cert: &str, key: &str| {
        format!("{roots}certificates:\n  - certFile: {cert}\n    keyFile: {key}\n")
    };
    let proxy = start(&routes(&[
        ("/mtls", &url, Some(&with(&cert, &key))),
        ("/anonymous", &url, Some(&roots)),
        ("/rogue", &url, Some(&with(&rogue_cert, &rogue_key))),
    ]))
    .await;
    let addr = proxy.addr("web");

    let reply = get(addr, "/mtls").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-client-cn"), Some("portico-proxy"));
    assert_eq!(
        s.backend.handshakes()[0].client_cn.as_deref(),
        Some("portico-proxy")
    );

    for path in ["/anonymous", "/rogue"] {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, 502, "{path}: {}", reply.text());
    }
    assert_eq!(s.backend.failed_handshakes(), 2);
    assert_eq!(s.backend.requests().len(), 1);
}

#[tokio::test]
async fn disable_http2_speaks_http11_to_the_backend() {
    let s = secured(&["127.0.0.1"], ServerTls::default()).await;
    let roots = format!("rootCAs: [{}]\n", s.ca_file);
    let url = s.backend.url();
    let proxy = start(&routes(&[
        ("/h1", &url, Some(&format!("{roots}disableHTTP2: true\n"))),
        ("/h2", &url, Some(&roots)),
    ]))
    .await;
    let addr = proxy.addr("web");

    let reply = get(addr, "/h1").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-http-version"), Some("HTTP/1.1"));
    assert_eq!(reply.header("x-tls-alpn"), Some("http/1.1"));

    let reply = get(addr, "/h2").await;
    assert_eq!(reply.header("x-http-version"), Some("HTTP/2.0"));
    let alpn: Vec<_> = s.backend.handshakes().into_iter().map(|h| h.alpn).collect();
    assert_eq!(
        alpn,
        [Some("http/1.1".to_owned()), Some("h2".to_owned())],
        "ALPN the proxy offered"
    );
}

#[tokio::test]
async fn peer_cert_sans_replace_the_host_name_check() {
    // The certificate names backend.internal, not the URL's 127.0.0.1.
    let s = secured(&["backend.internal"], ServerTls::default()).await;
    let roots = format!("rootCAs: [{}]\n", s.ca_file);
    let sans =
        |value: &str| format!("{roots}peerCertSANs:\n  - type: DNSName\n    value: {value}\n");
    let url = s.backend.url();
    let proxy = start(&routes(&[
        ("/match", &url, Some(&sans("backend.internal"))),
        ("/mismatch", &url, Some(&sans("payments.internal"))),
        ("/host-name", &url, Some(&roots)),
    ]))
    .await;
    let addr = proxy.addr("web");

    let reply = get(addr, "/match").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    for path in ["/mismatch", "/host-name"] {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, 502, "{path}: {}", reply.text());
    }
    assert_eq!(s.backend.requests().len(), 1);
}

#[tokio::test]
async fn min_and_max_version_bound_the_negotiated_tls_version() {
    let s = secured(&["127.0.0.1"], ServerTls::default()).await;
    let leaf = s.ca.leaf(&["127.0.0.1"]);
    let (tls12_addr, _tls12) = tls12_backend(&leaf).await;
    let roots = format!("rootCAs: [{}]\n", s.ca_file);
    let url = s.backend.url();
    let tls12_url = format!("https://{tls12_addr}");
    let proxy = start(&routes(&[
        (
            "/max12",
            &url,
            Some(&format!("{roots}maxVersion: VersionTLS12\n")),
        ),
        (
            "/min13",
            &url,
            Some(&format!("{roots}minVersion: VersionTLS13\n")),
        ),
        ("/old-default", &tls12_url, Some(&roots)),
        (
            "/old-min13",
            &tls12_url,
            Some(&format!("{roots}minVersion: VersionTLS13\n")),
        ),
    ]))
    .await;
    let addr = proxy.addr("web");

    for (path, version) in [
        ("/max12", "TLSv1_2"),
        ("/min13", "TLSv1_3"),
        ("/old-default", "TLSv1_2"),
    ] {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        assert_eq!(reply.header("x-tls-version"), Some(version), "{path}");
    }
    // A TLS 1.2-only server cannot meet minVersion 1.3.
    let reply = get(addr, "/old-min13").await;
    assert_eq!(reply.status, 502, "{}", reply.text());
}

#[tokio::test]
async fn response_header_timeout_answers_504_while_another_transport_waits() {
    let backend = faulty::start("slow").await;
    backend.set(Fault::Delay(Duration::from_secs(1)));
    let url = backend.url();
    let proxy = start(&routes(&[
        (
            "/impatient",
            &url,
            Some("forwardingTimeouts:\n  responseHeaderTimeout: 150ms\n"),
        ),
        ("/patient", &url, None),
    ]))
    .await;
    let addr = proxy.addr("web");

    let started = Instant::now();
    let reply = get(addr, "/impatient").await;
    let waited = started.elapsed();
    assert_eq!(reply.status, 504, "{}", reply.text());
    assert!(
        waited >= Duration::from_millis(140) && waited < Duration::from_millis(950),
        "answered after {waited:?}, expected about 150ms"
    );
    backend.wait_path("/impatient", 1).await;

    let reply = get(addr, "/patient").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-backend"), Some("slow"));
}

#[tokio::test]
async fn dial_timeout_answers_504_when_the_connection_never_completes() {
    let blackhole = Blackhole::new().await;
    let proxy = start(&routing(
        &format!("http://{}", blackhole.addr()),
        Some("forwardingTimeouts:\n  dialTimeout: 300ms\n"),
    ))
    .await;
    let started = Instant::now();
    let reply = get(proxy.addr("web"), "/").await;
    let waited = started.elapsed();
    assert_eq!(reply.status, 504, "{}", reply.text());
    assert!(
        waited >= Duration::from_millis(290) && waited < Duration::from_secs(3),
        "answered after {waited:?}, expected about 300ms (the default is 30s)"
    );
}
