//! `forwardAuth` against an axum authentication server: the headers Traefik
//! sends, allowed and denied requests, the request body, and https with a
//! generated CA (`tls.ca` as a file or inline, `insecureSkipVerify`, a client
//! certificate for mutual TLS).

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{Router, body::Bytes, extract::State, routing::any};
use http::{HeaderMap, Method, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use portico_e2e::whoami::Seen;
use portico_test_support::upstream;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
};
use rustls::{ServerConfig, server::WebPkiClientVerifier};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tower::ServiceExt;

use super::{exchange, routing, start};

/// What the authentication server saw last.
#[derive(Clone, Debug, Default)]
struct AuthSeen {
    method: Option<Method>,
    headers: HeaderMap,
    body: Vec<u8>,
}

type Log = Arc<Mutex<AuthSeen>>;

/// Allows requests unless they carry `X-Deny`; names the user `alice`.
async fn verify(
    State(log): State<Log>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response<axum::body::Body> {
    let deny = headers.contains_key("x-deny");
    *log.lock().expect("log") = AuthSeen {
        method: Some(method),
        headers,
        body: body.to_vec(),
    };
    let builder = if deny {
        Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header("location", "/login?rd=app")
            .header("x-reason", "no ticket")
    } else {
        Response::builder()
            .header("x-auth-user", "alice")
            .header("x-auth-claim-role", "admin")
            .header("set-cookie", "sso_session=s3cret; Path=/")
    };
    let body = if deny { "go away" } else { "" };
    builder
        .body(axum::body::Body::from(body))
        .expect("response")
}

fn auth_app() -> (Router, Log) {
    let log = Log::default();
    (
        Router::new()
            .route("/verify", any(verify))
            .with_state(log.clone()),
        log,
    )
}

async fn http_auth_server() -> (upstream::Upstream, Log) {
    let (app, log) = auth_app();
    (upstream::axum(app).await, log)
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate.
struct Pki {
    ca_pem: String,
    server: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
    client_cert_pem: String,
    client_key_pem: String,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.distinguished_name
        .push(DnType::CommonName, "Portico test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca, ca_key);

    let server_key = KeyPair::generate().expect("key");
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("params");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server.signed_by(&server_key, &issuer).expect("server cert");

    let client_key = KeyPair::generate().expect("key");
    let mut client = CertificateParams::new(vec!["client.example".to_owned()]).expect("params");
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client.signed_by(&client_key, &issuer).expect("client cert");

    Pki {
        ca_pem: ca_cert.pem(),
        server: (
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        ),
        client_cert_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
    }
}

/// Serves the authentication app over TLS; with `client_ca`, a client
/// certificate signed by it is required.
async fn https_auth_server(pki: &Pki, client_ca: bool) -> (SocketAddr, Log) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("versions");
    let builder = if client_ca {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pki_types::pem::PemObject::pem_slice_iter(pki.ca_pem.as_bytes()) {
            roots.add(cert.expect("ca pem")).expect("root");
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .expect("verifier");
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder
        .with_single_cert(pki.server.0.clone(), pki.server.1.clone_key())
        .expect("server config");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (app, log) = auth_app();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        app.clone().oneshot(req.map(axum::body::Body::new))
                    });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (addr, log)
}

fn forward_auth(address: &str, extra: &str) -> String {
    format!(
        "auth:\n  forwardAuth:\n    address: \"{address}\"\n    authResponseHeaders: [X-Auth-User]\n    authResponseHeadersRegex: \"^X-Auth-Claim-\"\n    addAuthCookiesToResponse: [sso_session]\n{extra}"
    )
}

#[tokio::test]
async fn allowed_requests_carry_the_auth_headers() {
    let (server, log) = http_auth_server().await;
    let auth = server.addr();
    let backend = upstream::whoami("b").await;
    let middleware = forward_auth(&format!("http://{auth}/verify"), "");
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &middleware,
            "",
        ),
    )
    .await;
    let response = exchange(
        proxy.addr("web"),
        "GET",
        "/app/page?x=1",
        &[
            ("Host", "app.example.com"),
            ("X-Auth-User", "mallory"),
            ("Cookie", "c=1"),
        ],
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let s = Seen::parse(&response.text()).expect("dump");
    assert_eq!(s.header_all("x-auth-user"), ["alice"]);
    assert_eq!(s.header("x-auth-claim-role"), Some("admin"));
    assert_eq!(
        response.header("set-cookie"),
        Some("sso_session=s3cret; Path=/")
    );

    let seen = log.lock().expect("log").clone();
    let h = |n: &str| {
        seen.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(seen.method, Some(Method::GET));
    assert_eq!(h("x-forwarded-method").as_deref(), Some("GET"));
    assert_eq!(h("x-forwarded-proto").as_deref(), Some("http"));
    assert_eq!(h("x-forwarded-host").as_deref(), Some("app.example.com"));
    assert_eq!(h("x-forwarded-uri").as_deref(), Some("/app/page?x=1"));
    assert_eq!(h("x-forwarded-for").as_deref(), Some("127.0.0.1"));
    assert_eq!(h("cookie").as_deref(), Some("c=1"));
}

#[tokio::test]
async fn denied_requests_get_the_auth_servers_answer() {
    let (server, _) = http_auth_server().await;
    let auth = server.addr();
    let backend = upstream::whoami("b").await;
    let middleware = forward_auth(&format!("http://{auth}/verify"), "");
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &middleware,
            "",
        ),
    )
    .await;
    let response = exchange(proxy.addr("web"), "GET", "/", &[("X-Deny", "1")]).await;
    assert_eq!(response.status, 403);
    assert_eq!(response.text(), "go away");
    assert_eq!(response.header("x-reason"), Some("no ticket"));
    assert_eq!(
        response.header("location"),
        Some(format!("http://{auth}/login?rd=app").as_str())
    );
    assert_eq!(
        response.header("x-whoami-name"),
        None,
        "the backend was not called"
    );
}

#[tokio::test]
async fn request_bodies_and_methods() {
    let (server, log) = http_auth_server().await;
    let auth = server.addr();
    let backend = upstream::whoami("b").await;
    let middleware = forward_auth(
        &format!("http://{auth}/verify"),
        "    forwardBody: true\n    maxBodySize: 8\n    preserveRequestMethod: true",
    );
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &middleware,
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let send = |body: &'static str| {
        let request = format!(
            "POST /submit HTTP/1.1\r\nHost: example.com\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        async move { portico_e2e::send_raw(addr, request.as_bytes()).await }
    };
    let response = send("12345678").await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        Seen::parse(&response.text()).expect("dump").body,
        "12345678"
    );
    let seen = log.lock().expect("log").clone();
    assert_eq!(
        (seen.method, seen.body),
        (Some(Method::POST), b"12345678".to_vec())
    );
    assert_eq!(send("123456789").await.status, 401);
}

#[tokio::test]
async fn https_with_the_configured_ca() {
    let pki = pki();
    let (auth, _) = https_auth_server(&pki, false).await;
    let dir = tempfile::tempdir().expect("dir");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).expect("write ca");
    let backend = upstream::whoami("b").await;
    let address = format!("https://{auth}/verify");
    let middlewares = format!(
        "{}\nfile-ca:\n  forwardAuth:\n    address: \"{address}\"\n    tls:\n      ca: \"{}\"\ninline-ca:\n  forwardAuth:\n    address: \"{address}\"\n    tls:\n      ca: |\n{}\ninsecure:\n  forwardAuth:\n    address: \"{address}\"\n    tls:\n      insecureSkipVerify: true\nsystem-roots:\n  forwardAuth:\n    address: \"{address}\"",
        forward_auth(
            &address,
            &format!("    tls:\n      ca: \"{}\"", ca_file.display())
        ),
        ca_file.display(),
        super::indent(&pki.ca_pem, 8).trim_end(),
    );
    let routers = ["file-ca", "inline-ca", "insecure", "system-roots"]
        .iter()
        .map(|m| {
            format!("{m}:\n  rule: PathPrefix(`/{m}`)\n  service: backend\n  middlewares: [{m}]\n")
        })
        .collect::<String>();
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &middlewares,
            &routers,
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let response = exchange(addr, "GET", "/", &[]).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        Seen::parse(&response.text())
            .expect("dump")
            .header("x-auth-user"),
        Some("alice")
    );
    for (path, status) in [
        ("/file-ca", 200),
        ("/inline-ca", 200),
        ("/insecure", 200),
        ("/system-roots", 500),
    ] {
        let response = exchange(addr, "GET", path, &[]).await;
        assert_eq!(response.status, status, "{path}: {}", response.text());
    }
}

#[tokio::test]
async fn https_with_a_client_certificate() {
    let pki = pki();
    let (auth, _) = https_auth_server(&pki, true).await;
    let dir = tempfile::tempdir().expect("dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let (ca, cert, key) = (
        write("ca.pem", &pki.ca_pem),
        write("client.pem", &pki.client_cert_pem),
        write("client.key", &pki.client_key_pem),
    );
    let backend = upstream::whoami("b").await;
    let address = format!("https://{auth}/verify");
    let middlewares = format!(
        "auth:\n  forwardAuth:\n    address: \"{address}\"\n    tls:\n      ca: \"{ca}\"\n      cert: \"{cert}\"\n      key: \"{key}\"\nanonymous:\n  forwardAuth:\n    address: \"{address}\"\n    tls:\n      ca: \"{ca}\""
    );
    let routers = "anonymous:\n  rule: PathPrefix(`/anonymous`)\n  service: backend\n  middlewares: [anonymous]";
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &middlewares,
            routers,
        ),
    )
    .await;
    let addr = proxy.addr("web");
    assert_eq!(exchange(addr, "GET", "/", &[]).await.status, 200);
    assert_eq!(exchange(addr, "GET", "/anonymous", &[]).await.status, 500);
}

#[tokio::test]
async fn unreachable_auth_server_is_a_500() {
    let backend = upstream::whoami("b").await;
    let dead = upstream::refused_address();
    let middleware = forward_auth(&format!("http://{dead}/verify"), "");
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            "PathPrefix(`/`)",
            &["auth"],
            &middleware,
            "",
        ),
    )
    .await;
    let response = exchange(proxy.addr("web"), "GET", "/", &[]).await;
    assert_eq!(response.status, 500);
}
