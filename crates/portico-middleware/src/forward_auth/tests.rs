use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{Router, body::Bytes as AxumBytes, extract::State, routing::any};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use portico_core::{Body, ConnectionInfo};
use regex::Regex;
use tower::{Layer, ServiceExt, service_fn};

use super::{AuthClient, ForwardAuthLayer};
use crate::basic_auth::AuthenticatedUser;

/// What the authentication server saw.
#[derive(Clone, Debug, Default)]
struct Seen {
    method: Option<Method>,
    headers: HeaderMap,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Seen>>;

async fn auth_handler(
    State(log): State<Log>,
    method: Method,
    headers: HeaderMap,
    body: AxumBytes,
) -> Response<axum::body::Body> {
    let verdict = headers
        .get("x-verdict")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("allow")
        .to_owned();
    *log.lock().unwrap() = Seen {
        method: Some(method),
        headers,
        body: body.to_vec(),
    };
    let mut response = Response::builder();
    response = match verdict.as_str() {
        "deny" => response
            .status(StatusCode::FORBIDDEN)
            .header("location", "/login?rd=x")
            .header("x-reason", "nope")
            .header("connection", "x-hop")
            .header("x-hop", "hidden"),
        "unauthorized" => response.status(StatusCode::UNAUTHORIZED),
        _ => response
            .status(StatusCode::OK)
            .header("x-auth-user", "alice")
            .header("x-auth-role", "admin")
            .header("x-other", "not-copied")
            .header("set-cookie", "auth=token; Path=/")
            .header("set-cookie", "shared=from-auth")
            .header("set-cookie", "ignored=1"),
    };
    let body = if verdict == "deny" {
        "denied by auth"
    } else {
        ""
    };
    response.body(axum::body::Body::from(body)).unwrap()
}

async fn auth_server() -> (SocketAddr, Log) {
    let log = Log::default();
    let app = Router::new()
        .route("/verify/check", any(auth_handler))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, log)
}

fn layer(addr: SocketAddr) -> ForwardAuthLayer {
    let address = format!("http://{addr}/verify/check").parse().unwrap();
    ForwardAuthLayer::new(address, AuthClient::new())
}

/// Sends `request` through `layer` to a backend that echoes the headers it got
/// (as `seen-<name>`) and its body, and sets two cookies.
async fn send(layer: &ForwardAuthLayer, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let svc = layer.layer(service_fn(|req: Request<Body>| async move {
        let mut response = Response::builder()
            .header("set-cookie", "shared=from-backend")
            .header("set-cookie", "backend=1");
        for (name, value) in req.headers() {
            response = response.header(format!("seen-{name}"), value);
        }
        if let Some(user) = req.extensions().get::<AuthenticatedUser>() {
            response = response.header("seen-user-extension", &user.0);
        }
        let body = req.into_body().collect().await.unwrap().to_bytes();
        Ok::<_, Infallible>(response.body(Body::from(body)).unwrap())
    }));
    let response = svc.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn request(method: &str, headers: &[(&str, &str)], body: &str) -> Request<Body> {
    let mut b = Request::builder().method(method).uri("/app/page?x=1");
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    let mut request = b.body(Body::from(body.to_owned())).unwrap();
    request.extensions_mut().insert(ConnectionInfo::new(
        "192.0.2.7:5555".parse().unwrap(),
        "127.0.0.1:80".parse().unwrap(),
        "web".into(),
        false,
    ));
    request
}

fn h<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn allowed_requests_get_the_auth_headers() {
    let (addr, log) = auth_server().await;
    let l = layer(addr)
        .auth_response_headers(vec![HeaderName::from_static("x-auth-user")])
        .header_field(HeaderName::from_static("x-auth-user"));
    let (status, headers, _) = send(
        &l,
        request(
            "POST",
            &[
                ("host", "app.example"),
                ("x-auth-user", "mallory"),
                ("content-type", "text/plain"),
            ],
            "payload",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h(&headers, "seen-x-auth-user"), Some("alice"));
    assert_eq!(h(&headers, "seen-x-auth-role"), None);
    assert_eq!(h(&headers, "seen-user-extension"), Some("alice"));

    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.method, Some(Method::GET));
    assert!(seen.body.is_empty());
    assert_eq!(h(&seen.headers, "x-forwarded-method"), Some("POST"));
    assert_eq!(h(&seen.headers, "x-forwarded-proto"), Some("http"));
    assert_eq!(h(&seen.headers, "x-forwarded-host"), Some("app.example"));
    assert_eq!(h(&seen.headers, "x-forwarded-uri"), Some("/app/page?x=1"));
    assert_eq!(h(&seen.headers, "x-forwarded-for"), Some("192.0.2.7"));
    assert_eq!(h(&seen.headers, "content-type"), Some("text/plain"));
    assert_eq!(h(&seen.headers, "host"), Some(addr.to_string().as_str()));
}

#[tokio::test]
async fn client_forwarded_headers_are_trusted_only_when_asked() {
    let (addr, log) = auth_server().await;
    let spoofed = [
        ("x-forwarded-for", "10.0.0.1"),
        ("x-forwarded-method", "DELETE"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-uri", "/admin"),
        ("host", "app.example"),
    ];
    let _ = send(&layer(addr), request("GET", &spoofed, "")).await;
    let seen = log.lock().unwrap().clone();
    assert_eq!(h(&seen.headers, "x-forwarded-for"), Some("192.0.2.7"));
    assert_eq!(h(&seen.headers, "x-forwarded-method"), Some("GET"));
    assert_eq!(h(&seen.headers, "x-forwarded-proto"), Some("http"));
    assert_eq!(h(&seen.headers, "x-forwarded-host"), Some("app.example"));
    assert_eq!(h(&seen.headers, "x-forwarded-uri"), Some("/app/page?x=1"));

    let _ = send(
        &layer(addr).trust_forward_header(true),
        request("GET", &spoofed, ""),
    )
    .await;
    let seen = log.lock().unwrap().clone();
    assert_eq!(
        h(&seen.headers, "x-forwarded-for"),
        Some("10.0.0.1, 192.0.2.7")
    );
    assert_eq!(h(&seen.headers, "x-forwarded-method"), Some("DELETE"));
    assert_eq!(h(&seen.headers, "x-forwarded-proto"), Some("https"));
    assert_eq!(h(&seen.headers, "x-forwarded-host"), Some("evil.example"));
    assert_eq!(h(&seen.headers, "x-forwarded-uri"), Some("/admin"));
}

#[tokio::test]
async fn auth_request_headers_filter_what_is_sent() {
    let (addr, log) = auth_server().await;
    let l = layer(addr).auth_request_headers(vec![HeaderName::from_static("authorization")]);
    let _ = send(
        &l,
        request(
            "GET",
            &[
                ("authorization", "Bearer t"),
                ("cookie", "c=1"),
                ("connection", "keep-alive"),
            ],
            "",
        ),
    )
    .await;
    let seen = log.lock().unwrap().clone();
    assert_eq!(h(&seen.headers, "authorization"), Some("Bearer t"));
    assert_eq!(h(&seen.headers, "cookie"), None);
    // The X-Forwarded-* headers are always sent.
    assert_eq!(h(&seen.headers, "x-forwarded-method"), Some("GET"));
}

#[tokio::test]
async fn denials_are_returned_as_the_server_gave_them() {
    let (addr, _) = auth_server().await;
    let (status, headers, body) =
        send(&layer(addr), request("GET", &[("x-verdict", "deny")], "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, "denied by auth");
    assert_eq!(h(&headers, "x-reason"), Some("nope"));
    assert_eq!(h(&headers, "x-hop"), None);
    assert_eq!(
        h(&headers, "location"),
        Some(format!("http://{addr}/login?rd=x").as_str())
    );
    assert!(
        headers.get("seen-x-verdict").is_none(),
        "the backend was not called"
    );

    let l = layer(addr).preserve_location_header(true);
    let (_, headers, _) = send(&l, request("GET", &[("x-verdict", "deny")], "")).await;
    assert_eq!(h(&headers, "location"), Some("/login?rd=x"));

    let l = layer(addr).auth_signin_url(HeaderValue::from_static("https://login.example/"));
    let (status, headers, _) = send(&l, request("GET", &[("x-verdict", "unauthorized")], "")).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(h(&headers, "location"), Some("https://login.example/"));
}

#[tokio::test]
async fn regex_headers_replace_the_clients() {
    let (addr, _) = auth_server().await;
    let l = layer(addr).auth_response_headers_regex(Regex::new("^X-Auth-").unwrap());
    let (_, headers, _) = send(
        &l,
        request(
            "GET",
            &[("x-auth-stale", "client"), ("x-auth-user", "mallory")],
            "",
        ),
    )
    .await;
    assert_eq!(h(&headers, "seen-x-auth-user"), Some("alice"));
    assert_eq!(h(&headers, "seen-x-auth-role"), Some("admin"));
    assert_eq!(h(&headers, "seen-x-auth-stale"), None);
    assert_eq!(h(&headers, "seen-x-other"), None);
}

#[tokio::test]
async fn body_forwarding_and_limits() {
    let (addr, log) = auth_server().await;
    let l = layer(addr)
        .forward_body(true, Some(10))
        .preserve_request_method(true);
    let (status, _, body) = send(&l, request("PUT", &[], "0123456789")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "0123456789", "the backend gets the body too");
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.method, Some(Method::PUT));
    assert_eq!(seen.body, b"0123456789");

    let (status, _, _) = send(&l, request("PUT", &[], "0123456789A")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Without forwardBody the body only goes to the backend.
    let (_, _, body) = send(&layer(addr), request("POST", &[], "data")).await;
    assert_eq!(body, "data");
    assert!(log.lock().unwrap().body.is_empty());
}

#[tokio::test]
async fn auth_cookies_replace_the_backends() {
    let (addr, _) = auth_server().await;
    let l = layer(addr).add_auth_cookies_to_response(vec!["auth".into(), "shared".into()]);
    let (_, headers, _) = send(&l, request("GET", &[], "")).await;
    let cookies: Vec<&str> = headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(
        cookies,
        ["backend=1", "auth=token; Path=/", "shared=from-auth"]
    );

    let (_, headers, _) = send(&layer(addr), request("GET", &[], "")).await;
    let cookies: Vec<&str> = headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies, ["shared=from-backend", "backend=1"]);
}

#[tokio::test]
async fn unreachable_server_is_a_500() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let (status, headers, _) = send(&layer(addr), request("GET", &[], "")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(headers.get("seen-host").is_none());
}

#[tokio::test]
async fn oversized_answers_are_a_500() {
    let (addr, _) = auth_server().await;
    let l = layer(addr).max_response_body_size(Some(3));
    let (status, _, _) = send(&l, request("GET", &[("x-verdict", "deny")], "")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}
