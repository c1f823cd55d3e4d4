//! TLS options: chosen by the SNI of TLS routers' hosts, versions, sniStrict,
//! client certificates, and the 421 guard against domain fronting.

use portico_test_support::tls::{self, ClientOptions};

use crate::support::{AcceptAny, cert_entry, install, start};

/// Routers: `open.example` with default options, `modern.example` with TLS 1.3
/// only, `mtls.example` requiring a client certificate (and passing it on).
fn routing(url: &str, dir: &str) -> String {
    format!(
        "http:\n  routers:\n    open:\n      rule: Host(`open.example`)\n      service: s\n      tls: {{}}\n    modern:\n      rule: Host(`modern.example`)\n      service: s\n      tls:\n        options: modern\n    mtls:\n      rule: Host(`mtls.example`)\n      service: s\n      middlewares: [pass-cert]\n      tls:\n        options: mtls\n    unknown:\n      rule: Host(`unknown.example`)\n      service: s\n      tls:\n        options: nope\n  middlewares:\n    pass-cert:\n      passTLSClientCert:\n        pem: true\n  services:\n    s:\n      loadBalancer:\n        servers: [{{url: \"{url}\"}}]\ntls:\n  certificates:\n{}  options:\n    modern:\n      minVersion: VersionTLS13\n    mtls:\n      clientAuth:\n        caFiles: [{dir}/client-ca.crt]\n        clientAuthType: RequireAndVerifyClientCert\n",
        cert_entry(dir, "all")
    )
}

const NAMES: &[&str] = &[
    "open.example",
    "modern.example",
    "mtls.example",
    "unknown.example",
];

async fn setup() -> (crate::support::Setup, portico_test_support::tls::Ca) {
    let client_ca = portico_test_support::tls::Ca::new("client CA");
    let setup = start(&[("all", NAMES)], &install("", ""), routing).await;
    std::fs::write(setup.proxy.dir().join("client-ca.crt"), client_ca.pem()).unwrap();
    let status = setup.proxy.reload_routing().await;
    assert!(status.tls.is_empty(), "{:?}", status.tls);
    (setup, client_ca)
}

#[tokio::test]
async fn options_follow_the_sni_of_tls_routers_hosts() {
    let (setup, _) = setup().await;
    let addr = setup.proxy.addr("websecure");
    let tls12 = ClientOptions {
        tls12_only: true,
        ..setup.client(&["http/1.1"])
    };
    assert!(
        tls::connect(addr, "open.example", tls::client_config(&tls12))
            .await
            .is_ok()
    );
    assert!(
        tls::connect(addr, "modern.example", tls::client_config(&tls12))
            .await
            .is_err(),
        "modern.example requires TLS 1.3"
    );
    let reply = tls::get(
        addr,
        "modern.example",
        "modern.example",
        "/",
        &setup.client(&["h2"]),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn unknown_options_disable_only_that_router() {
    let (setup, _) = setup().await;
    let status = setup.proxy.status();
    let unknown = &status.routers["unknown@file"];
    assert!(!unknown.enabled);
    assert!(
        unknown
            .errors
            .iter()
            .any(|e| e.contains("unknown TLS options") && e.contains("nope@file")),
        "{unknown:?}"
    );
    assert!(status.routers["open@file"].enabled);
}

#[tokio::test]
async fn client_certificates_are_required_and_passed_on() {
    let (setup, client_ca) = setup().await;
    let addr = setup.proxy.addr("websecure");
    // Without a certificate: refused (TLS 1.3 reports it on first use).
    let anonymous = setup.client(&["http/1.1"]);
    let refused = match tls::connect(addr, "mtls.example", tls::client_config(&anonymous)).await {
        Err(_) => true,
        Ok(stream) => {
            let request = http::Request::get("/")
                .header("host", "mtls.example")
                .body(http_body_util::Full::new(bytes::Bytes::new()))
                .unwrap();
            let io = hyper_util::rt::TokioIo::new(stream);
            match hyper::client::conn::http1::handshake(io).await {
                Err(_) => true,
                Ok((mut sender, conn)) => {
                    tokio::spawn(conn);
                    sender.send_request(request).await.is_err()
                }
            }
        }
    };
    assert!(refused, "a client without a certificate must be refused");
    // With one from the trusted CA: served, and the certificate reaches the backend.
    let with_cert = ClientOptions {
        client_cert: Some(client_ca.client("alice")),
        ..setup.client(&["http/1.1"])
    };
    let reply = tls::get(addr, "mtls.example", "mtls.example", "/", &with_cert).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.text().contains("X-Forwarded-Tls-Client-Cert: "),
        "{}",
        reply.text()
    );
    // A certificate from another CA is refused.
    let stranger = ClientOptions {
        client_cert: Some(portico_test_support::tls::Ca::new("other").client("mallory")),
        ..setup.client(&["http/1.1"])
    };
    let ok = match tls::connect(addr, "mtls.example", tls::client_config(&stranger)).await {
        Err(_) => false,
        Ok(stream) => {
            let request = http::Request::get("/")
                .header("host", "mtls.example")
                .body(http_body_util::Full::new(bytes::Bytes::new()))
                .unwrap();
            let io = hyper_util::rt::TokioIo::new(stream);
            match hyper::client::conn::http1::handshake(io).await {
                Err(_) => false,
                Ok((mut sender, conn)) => {
                    tokio::spawn(conn);
                    sender.send_request(request).await.is_ok()
                }
            }
        }
    };
    assert!(!ok, "a certificate from an unknown CA must be refused");
}

#[tokio::test]
async fn a_host_header_selecting_other_options_than_the_sni_gets_421() {
    let (setup, _) = setup().await;
    let addr = setup.proxy.addr("websecure");
    // SNI open.example (default options), Host modern.example (modern options).
    let fronted = tls::get(
        addr,
        "open.example",
        "modern.example",
        "/",
        &setup.client(&["http/1.1"]),
    )
    .await;
    assert_eq!(fronted.status, 421);
    let fronted_h2 = tls::get(
        addr,
        "open.example",
        "modern.example",
        "/",
        &setup.client(&["h2"]),
    )
    .await;
    assert_eq!(fronted_h2.status, 421);
    // Same options on both sides: served.
    let ok = tls::get(
        addr,
        "open.example",
        "open.example",
        "/",
        &setup.client(&["h2"]),
    )
    .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn sni_strict_refuses_unknown_names() {
    let setup = start(&[("a", &["a.example.com"])], &install("", ""), |url, dir| {
        format!(
            "http:\n  routers:\n    r:\n      rule: Host(`a.example.com`)\n      service: s\n      tls: {{}}\n  services:\n    s:\n      loadBalancer:\n        servers: [{{url: \"{url}\"}}]\ntls:\n  certificates:\n{}  options:\n    default:\n      sniStrict: true\n",
            cert_entry(dir, "a")
        )
    })
    .await;
    let addr = setup.proxy.addr("websecure");
    let opts = setup.client(&["http/1.1"]);
    assert!(
        tls::connect(addr, "a.example.com", tls::client_config(&opts))
            .await
            .is_ok()
    );
    let mut any = (*tls::client_config(&opts)).clone();
    any.dangerous()
        .set_certificate_verifier(std::sync::Arc::new(AcceptAny));
    assert!(
        tls::connect(addr, "other.example", std::sync::Arc::new(any))
            .await
            .is_err()
    );
}
