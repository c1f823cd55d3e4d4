//! Certificates: chosen by SNI, ALPN, plain HTTP on a TLS port, entrypoint TLS,
//! live changes.

use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use portico_test_support::{client, tls};

use crate::support::{AcceptAny, cert_entry, install, start};

fn routing(url: &str, dir: &str) -> String {
    format!(
        "http:\n  routers:\n    exact:\n      rule: Host(`a.example.com`)\n      service: s\n      tls: {{}}\n    any:\n      rule: PathPrefix(`/`)\n      priority: 1\n      service: s\n      tls: {{}}\n  services:\n    s:\n      loadBalancer:\n        servers: [{{url: \"{url}\"}}]\ntls:\n  certificates:\n{}{}  stores:\n    default:\n      defaultCertificate:\n        certFile: {dir}/default.crt\n        keyFile: {dir}/default.key\n",
        cert_entry(dir, "a"),
        cert_entry(dir, "wild"),
    )
}

#[tokio::test]
async fn sni_picks_exact_then_wildcard_then_default_certificate() {
    let setup = start(
        &[
            ("a", &["a.example.com"]),
            ("wild", &["*.wild.example.com"]),
            ("default", &["default.example"]),
        ],
        &install("", ""),
        routing,
    )
    .await;
    assert!(
        setup.proxy.status().tls.is_empty(),
        "{:?}",
        setup.proxy.status().tls
    );
    let addr = setup.proxy.addr("websecure");
    let dir = setup.proxy.dir();
    let pem = |stem: &str| std::fs::read_to_string(dir.join(format!("{stem}.crt"))).unwrap();
    let served_pem = |stream: &tokio_rustls::client::TlsStream<tokio::net::TcpStream>| {
        use rustls_pki_types::pem::PemObject;
        let der = tls::served(stream);
        move |stem: &str| {
            rustls_pki_types::CertificateDer::from_pem_slice(pem(stem).as_bytes()).unwrap() == der
        }
    };
    // The client does not check names here: the served certificate is what counts.
    let opts = setup.client(&[]);
    let cases = [
        ("a.example.com", "a"),
        ("A.EXAMPLE.COM", "a"),
        ("x.wild.example.com", "wild"),
        ("deep.x.wild.example.com", "default"),
        ("elsewhere.example", "default"),
    ];
    for (sni, stem) in cases {
        let mut config = (*tls::client_config(&opts)).clone();
        config
            .dangerous()
            .set_certificate_verifier(std::sync::Arc::new(AcceptAny));
        let stream = tls::connect(addr, sni, std::sync::Arc::new(config))
            .await
            .unwrap();
        assert!(
            served_pem(&stream)(stem),
            "{sni} should be served {stem}.crt"
        );
    }
    // A verified request: X-Forwarded-Proto is https.
    let reply = tls::get(
        addr,
        "a.example.com",
        "a.example.com",
        "/",
        &setup.client(&["http/1.1"]),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.text().contains("X-Forwarded-Proto: https"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn alpn_negotiates_h2_or_http11() {
    let setup = start(
        &[
            ("a", &["a.example.com"]),
            ("wild", &["*.wild.example.com"]),
            ("default", &["default.example"]),
        ],
        &install("", ""),
        routing,
    )
    .await;
    let addr = setup.proxy.addr("websecure");
    let h2 = tls::get(
        addr,
        "a.example.com",
        "a.example.com",
        "/",
        &setup.client(&["h2", "http/1.1"]),
    )
    .await;
    assert_eq!(h2.status, 200);
    assert_eq!(h2.version, http::Version::HTTP_2);
    let h1 = tls::get(
        addr,
        "a.example.com",
        "a.example.com",
        "/",
        &setup.client(&["http/1.1"]),
    )
    .await;
    assert_eq!(h1.version, http::Version::HTTP_11);
    let none = tls::get(
        addr,
        "a.example.com",
        "a.example.com",
        "/",
        &setup.client(&[]),
    )
    .await;
    assert_eq!(none.status, 200);
}

#[tokio::test]
async fn plain_http_on_the_same_port_never_reaches_tls_routers() {
    let setup = start(
        &[
            ("a", &["a.example.com"]),
            ("wild", &["*.wild.example.com"]),
            ("default", &["default.example"]),
        ],
        &install("", ""),
        routing,
    )
    .await;
    let reply = client::get(setup.proxy.addr("websecure"), "a.example.com", "/").await;
    assert_eq!(reply.status, 404, "TLS routers must not answer plain HTTP");
}

#[tokio::test]
async fn entrypoint_tls_makes_every_router_a_tls_router() {
    let setup = start(
        &[("a", &["a.example.com"])],
        &install("    http:\n      tls: {}\n", ""),
        |url, dir| {
            format!(
                "http:\n  routers:\n    plain:\n      rule: Host(`a.example.com`)\n      entryPoints: [websecure]\n      service: s\n  services:\n    s:\n      loadBalancer:\n        servers: [{{url: \"{url}\"}}]\ntls:\n  certificates:\n{}",
                cert_entry(dir, "a")
            )
        },
    )
    .await;
    let addr = setup.proxy.addr("websecure");
    let secure = tls::get(
        addr,
        "a.example.com",
        "a.example.com",
        "/",
        &setup.client(&["h2"]),
    )
    .await;
    assert_eq!(secure.status, 200);
    assert_eq!(client::get(addr, "a.example.com", "/").await.status, 404);
}

#[tokio::test]
async fn http_is_redirected_to_the_https_entrypoint() {
    let setup = start(
        &[("a", &["a.example.com"])],
        &install(
            "",
            "    http:\n      redirections:\n        entryPoint:\n          to: websecure\n          scheme: https\n",
        ),
        |url, dir| {
            format!(
                "http:\n  routers:\n    r:\n      rule: Host(`a.example.com`)\n      service: s\n      tls: {{}}\n    plain:\n      rule: PathPrefix(`/`)\n      entryPoints: [web]\n      service: s\n  services:\n    s:\n      loadBalancer:\n        servers: [{{url: \"{url}\"}}]\ntls:\n  certificates:\n{}",
                cert_entry(dir, "a")
            )
        },
    )
    .await;
    let web = setup.proxy.addr("web");
    let port = setup.proxy.addr("websecure").port();
    let get = client::get(web, "a.example.com", "/x/y?q=1").await;
    assert_eq!(get.status, 301, "permanent, GET");
    assert_eq!(
        get.header("location"),
        Some(format!("https://a.example.com:{port}/x/y?q=1").as_str())
    );
    let post = client::send(
        web,
        Request::post("/form")
            .header("host", "a.example.com:80")
            .body(Full::new(Bytes::from("a=1")))
            .unwrap(),
    )
    .await;
    assert_eq!(post.status, 308, "permanent, other methods");
    // Following the redirect works.
    let followed = tls::get(
        setup.proxy.addr("websecure"),
        "a.example.com",
        "a.example.com",
        "/x/y?q=1",
        &setup.client(&["h2"]),
    )
    .await;
    assert_eq!(followed.status, 200);
}

#[tokio::test]
async fn certificates_change_live_and_a_broken_one_keeps_the_previous() {
    let setup = start(&[("a", &["a.example.com"])], &install("", ""), |url, dir| {
        format!(
            "http:\n  routers:\n    r:\n      rule: Host(`a.example.com`)\n      service: s\n      tls: {{}}\n  services:\n    s:\n      loadBalancer:\n        servers: [{{url: \"{url}\"}}]\ntls:\n  certificates:\n{}",
            cert_entry(dir, "a")
        )
    })
    .await;
    let addr = setup.proxy.addr("websecure");
    let dir = setup.proxy.dir();
    let opts = setup.client(&["http/1.1"]);
    // A keep-alive connection made with the first certificate.
    let first = tls::connect(addr, "a.example.com", tls::client_config(&opts))
        .await
        .unwrap();
    let first_cert = tls::served(&first);
    let io = hyper_util::rt::TokioIo::new(first);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
    tokio::spawn(conn);
    let request = || {
        Request::get("/")
            .header("host", "a.example.com")
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    assert_eq!(sender.send_request(request()).await.unwrap().status(), 200);

    // Replace the certificate: new handshakes get the new one.
    let second = setup.ca.leaf(&["a.example.com"]);
    second.write(&dir, "a");
    let status = setup.proxy.reload_routing().await;
    assert!(status.tls.is_empty(), "{:?}", status.tls);
    let fresh = tls::connect(addr, "a.example.com", tls::client_config(&opts))
        .await
        .unwrap();
    assert_eq!(tls::served(&fresh), second.der);
    assert_ne!(tls::served(&fresh), first_cert);
    // The connection opened before the change still works.
    assert_eq!(sender.send_request(request()).await.unwrap().status(), 200);

    // A broken key: reported with its file, and the previous certificate keeps serving.
    std::fs::write(
        dir.join("a.key"),
        "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let status = setup.proxy.reload_routing().await;
    let problems = status.tls.join("\n");
    assert!(
        problems.contains("a.key") && problems.contains("previous certificate keeps serving"),
        "{problems}"
    );
    assert!(
        !problems.contains("BEGIN"),
        "no key material in messages: {problems}"
    );
    let after = tls::connect(addr, "a.example.com", tls::client_config(&opts))
        .await
        .unwrap();
    assert_eq!(tls::served(&after), second.der);
    tokio::time::sleep(Duration::from_millis(1)).await;
}
