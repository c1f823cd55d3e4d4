use std::{
    convert::Infallible,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use regex::Regex;
use tower::{Layer, ServiceExt, service_fn};

use super::{Cors, HeadersLayer, Security};

/// Sends `request` through `layer` to a service answering with `Vary: Accept`,
/// `X-Backend: yes` and the request headers it saw echoed as `seen-<name>`.
async fn send(layer: &HeadersLayer, request: Request<()>) -> (Response<Bytes>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let svc = layer.layer(service_fn(move |req: Request<()>| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            let mut response = Response::new(Bytes::from_static(b"inner"));
            let h = response.headers_mut();
            h.insert("vary", HeaderValue::from_static("Accept"));
            h.insert("x-backend", HeaderValue::from_static("yes"));
            h.insert("x-powered-by", HeaderValue::from_static("php"));
            for (name, value) in req.headers() {
                let echoed = HeaderName::try_from(format!("seen-{name}")).unwrap();
                h.append(echoed, value.clone());
            }
            Ok::<_, Infallible>(response)
        }
    }));
    let response = svc.oneshot(request).await.unwrap();
    (response, calls.load(Ordering::SeqCst))
}

fn get(headers: &[(&str, &str)]) -> Request<()> {
    let mut b = Request::get("/x?y=1").header("host", "app.example.com");
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    b.body(()).unwrap()
}

fn header<'a>(response: &'a Response<Bytes>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn custom_headers_set_and_delete() {
    let layer = HeadersLayer::new()
        .request_header(
            HeaderName::from_static("x-script-name"),
            Some(HeaderValue::from_static("test")),
        )
        .request_header(HeaderName::from_static("x-drop"), None)
        .request_header(
            HeaderName::from_static("host"),
            Some(HeaderValue::from_static("other.example")),
        )
        .response_header(
            HeaderName::from_static("x-custom"),
            Some(HeaderValue::from_static("v")),
        )
        .response_header(HeaderName::from_static("x-powered-by"), None)
        .response_header(
            HeaderName::from_static("x-backend"),
            Some(HeaderValue::from_static("overridden")),
        );
    let (response, calls) = send(
        &layer,
        get(&[
            ("x-drop", "secret"),
            ("x-script-name", "old"),
            ("x-script-name", "older"),
        ]),
    )
    .await;
    assert_eq!(calls, 1);
    assert_eq!(header(&response, "seen-x-script-name"), Some("test"));
    assert_eq!(
        response
            .headers()
            .get_all("seen-x-script-name")
            .iter()
            .count(),
        1
    );
    assert_eq!(header(&response, "seen-x-drop"), None);
    assert_eq!(header(&response, "seen-host"), Some("other.example"));
    assert_eq!(header(&response, "x-custom"), Some("v"));
    assert_eq!(header(&response, "x-powered-by"), None);
    assert_eq!(header(&response, "x-backend"), Some("overridden"));
}

fn cors() -> Cors {
    Cors {
        allow_methods: vec!["GET".into(), "OPTIONS".into(), "PUT".into()],
        allow_headers: vec!["X-Custom".into(), "Content-Type".into()],
        allow_origins: vec!["https://a.example".into()],
        allow_origin_regexes: vec![Regex::new(r"^https://([a-z]+)\.b\.example$").unwrap()],
        expose_headers: vec!["X-Exposed".into()],
        max_age: Some(100),
        add_vary_header: true,
        ..Cors::default()
    }
}

fn preflight(origin: &str) -> Request<()> {
    Request::builder()
        .method("OPTIONS")
        .uri("/")
        .header("origin", origin)
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "x-custom")
        .body(())
        .unwrap()
}

#[tokio::test]
async fn preflight_is_answered_at_the_proxy() {
    let layer = HeadersLayer::new().cors(cors());
    let (response, calls) = send(&layer, preflight("https://a.example")).await;
    assert_eq!(calls, 0);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(
        header(&response, "access-control-allow-methods"),
        Some("GET,OPTIONS,PUT")
    );
    assert_eq!(
        header(&response, "access-control-allow-headers"),
        Some("X-Custom,Content-Type")
    );
    assert_eq!(header(&response, "access-control-max-age"), Some("100"));
    assert_eq!(
        header(&response, "access-control-expose-headers"),
        Some("X-Exposed")
    );
    assert_eq!(header(&response, "access-control-allow-credentials"), None);
    assert_eq!(header(&response, "content-length"), Some("0"));

    // A disallowed origin still gets an answer, without Allow-Origin.
    let (response, calls) = send(&layer, preflight("https://evil.example")).await;
    assert_eq!(calls, 0);
    assert_eq!(header(&response, "access-control-allow-origin"), None);

    // Regex origins are echoed.
    let (response, _) = send(&layer, preflight("https://x.b.example")).await;
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://x.b.example")
    );
}

#[tokio::test]
async fn not_a_preflight_goes_through() {
    let layer = HeadersLayer::new().cors(cors());
    // OPTIONS without Access-Control-Request-Method.
    let request = Request::builder()
        .method("OPTIONS")
        .uri("/")
        .header("origin", "https://a.example")
        .body(())
        .unwrap();
    let (response, calls) = send(&layer, request).await;
    assert_eq!(calls, 1);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://a.example")
    );
}

#[tokio::test]
async fn cors_response_headers_and_vary() {
    let layer = HeadersLayer::new().cors(cors());
    let (response, _) = send(&layer, get(&[("origin", "https://a.example")])).await;
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(
        header(&response, "access-control-expose-headers"),
        Some("X-Exposed")
    );
    assert_eq!(header(&response, "vary"), Some("Accept,Origin"));
    let (response, _) = send(&layer, get(&[("origin", "https://other.example")])).await;
    assert_eq!(header(&response, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn wildcard_with_credentials_reflects_the_origin() {
    let layer = HeadersLayer::new().cors(Cors {
        allow_credentials: true,
        allow_origins: vec!["*".into()],
        allow_headers: vec!["*".into()],
        allow_methods: vec!["*".into()],
        expose_headers: vec!["*".into()],
        ..Cors::default()
    });
    let (response, _) = send(&layer, preflight("https://any.example")).await;
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://any.example")
    );
    assert_eq!(
        header(&response, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        header(&response, "access-control-allow-headers"),
        Some("x-custom")
    );
    assert_eq!(
        header(&response, "access-control-allow-methods"),
        Some("PUT")
    );
    assert_eq!(header(&response, "access-control-expose-headers"), None);
    assert_eq!(header(&response, "access-control-max-age"), None);

    let layer = HeadersLayer::new().cors(Cors {
        allow_origins: vec!["*".into()],
        ..Cors::default()
    });
    let (response, _) = send(&layer, get(&[("origin", "https://any.example")])).await;
    assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn allowed_hosts_and_proxy_headers() {
    let layer = HeadersLayer::new().security(Security {
        allowed_hosts: vec!["APP.example.com".into()],
        hosts_proxy_headers: vec!["X-Forwarded-Host".into()],
        ..Security::default()
    });
    let (response, calls) = send(&layer, get(&[])).await;
    assert_eq!((response.status(), calls), (StatusCode::OK, 1));
    let (response, calls) = send(&layer, get(&[("x-forwarded-host", "evil.example")])).await;
    assert_eq!(
        (response.status(), calls),
        (StatusCode::INTERNAL_SERVER_ERROR, 0)
    );
    assert_eq!(response.body(), "Bad Host\n");

    let dev = HeadersLayer::new().security(Security {
        allowed_hosts: vec!["nope.example".into()],
        is_development: true,
        ..Security::default()
    });
    assert_eq!(send(&dev, get(&[])).await.0.status(), StatusCode::OK);
}

fn full_security() -> Security {
    Security {
        sts_seconds: 315360000,
        sts_include_subdomains: true,
        sts_preload: true,
        frame_deny: true,
        content_type_nosniff: true,
        browser_xss_filter: true,
        content_security_policy: "default-src 'self'".into(),
        content_security_policy_report_only: "script-src 'none'".into(),
        referrer_policy: "no-referrer".into(),
        permissions_policy: "camera=()".into(),
        public_key: "pin-sha256=\"x\"; max-age=10".into(),
        ssl_proxy_headers: vec![("X-Forwarded-Proto".into(), "https".into())],
        ..Security::default()
    }
}

#[tokio::test]
async fn security_headers_over_https_only_for_sts_and_pins() {
    let layer = HeadersLayer::new().security(full_security());
    let (plain, _) = send(&layer, get(&[("x-forwarded-proto", "http")])).await;
    assert_eq!(header(&plain, "strict-transport-security"), None);
    assert_eq!(header(&plain, "public-key-pins"), None);
    assert_eq!(header(&plain, "x-frame-options"), Some("DENY"));
    assert_eq!(header(&plain, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&plain, "x-xss-protection"), Some("1; mode=block"));
    assert_eq!(
        header(&plain, "content-security-policy"),
        Some("default-src 'self'")
    );
    assert_eq!(
        header(&plain, "content-security-policy-report-only"),
        Some("script-src 'none'")
    );
    assert_eq!(header(&plain, "referrer-policy"), Some("no-referrer"));
    assert_eq!(header(&plain, "permissions-policy"), Some("camera=()"));

    let (secure, _) = send(&layer, get(&[("x-forwarded-proto", "https")])).await;
    assert_eq!(
        header(&secure, "strict-transport-security"),
        Some("max-age=315360000; includeSubDomains; preload")
    );
    assert_eq!(
        header(&secure, "public-key-pins"),
        Some("pin-sha256=\"x\"; max-age=10")
    );

    let forced = HeadersLayer::new().security(Security {
        sts_seconds: 60,
        force_sts_header: true,
        custom_frame_options_value: "SAMEORIGIN".into(),
        frame_deny: true,
        ..Security::default()
    });
    let (response, _) = send(&forced, get(&[])).await;
    assert_eq!(
        header(&response, "strict-transport-security"),
        Some("max-age=60")
    );
    assert_eq!(header(&response, "x-frame-options"), Some("SAMEORIGIN"));

    let dev = HeadersLayer::new().security(Security {
        is_development: true,
        ..full_security()
    });
    let (response, _) = send(&dev, get(&[("x-forwarded-proto", "https")])).await;
    assert_eq!(header(&response, "strict-transport-security"), None);
    assert_eq!(header(&response, "public-key-pins"), None);
    assert_eq!(header(&response, "x-frame-options"), Some("DENY"));
}

#[tokio::test]
async fn custom_response_headers_win_over_security_headers() {
    let layer = HeadersLayer::new()
        .security(Security {
            frame_deny: true,
            ..Security::default()
        })
        .response_header(HeaderName::from_static("x-frame-options"), None);
    let (response, _) = send(&layer, get(&[])).await;
    assert_eq!(header(&response, "x-frame-options"), None);
}

#[tokio::test]
async fn deprecated_ssl_redirect() {
    let layer = HeadersLayer::new().security(Security {
        ssl_redirect: true,
        ssl_proxy_headers: vec![("X-Forwarded-Proto".into(), "https".into())],
        ..Security::default()
    });
    let (response, calls) = send(&layer, get(&[("x-forwarded-proto", "http")])).await;
    assert_eq!(
        (response.status(), calls),
        (StatusCode::MOVED_PERMANENTLY, 0)
    );
    assert_eq!(
        header(&response, "location"),
        Some("https://app.example.com/x?y=1")
    );
    let (response, calls) = send(&layer, get(&[("x-forwarded-proto", "https")])).await;
    assert_eq!((response.status(), calls), (StatusCode::OK, 1));
}
