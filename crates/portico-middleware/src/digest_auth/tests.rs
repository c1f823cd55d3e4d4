use std::convert::Infallible;

use bytes::Bytes;
use http::{HeaderName, Request, Response, StatusCode};
use tower::{Layer, Service, ServiceExt, service_fn};

use super::{DigestAuth, DigestAuthLayer, digest_params, h, parse_digest_users, parse_list};

type Svc = DigestAuth<
    tower::util::ServiceFn<
        fn(Request<()>) -> std::future::Ready<Result<Response<Bytes>, Infallible>>,
    >,
>;

fn echo(req: Request<()>) -> std::future::Ready<Result<Response<Bytes>, Infallible>> {
    let user = req
        .headers()
        .get("x-user")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let auth = req.headers().contains_key("authorization");
    std::future::ready(Ok(Response::new(Bytes::from(format!(
        "user={user} auth={auth}"
    )))))
}

fn service(layer: &DigestAuthLayer) -> Svc {
    layer.layer(service_fn(echo as fn(_) -> _))
}

async fn send(svc: &mut Svc, uri: &str, authorization: Option<String>) -> Response<Bytes> {
    let mut request = Request::get(uri);
    if let Some(a) = authorization {
        request = request.header("authorization", a);
    }
    svc.ready()
        .await
        .unwrap()
        .call(request.body(()).unwrap())
        .await
        .unwrap()
}

/// The challenge's nonce and opaque.
fn challenge(response: &Response<Bytes>) -> (String, String) {
    let value = response.headers()["www-authenticate"].to_str().unwrap();
    let params = digest_params(value).unwrap();
    (params["nonce"].clone(), params["opaque"].clone())
}

#[allow(clippy::too_many_arguments)]
fn authorization(
    user: &str,
    realm: &str,
    password: &str,
    uri: &str,
    nonce: &str,
    opaque: &str,
    nc: &str,
) -> String {
    let ha1 = h(&format!("{user}:{realm}:{password}"));
    let ha2 = h(&format!("GET:{uri}"));
    let response = h(&format!("{ha1}:{nonce}:{nc}:cnonce1:auth:{ha2}"));
    format!(
        "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", \
         algorithm=MD5, qop=auth, nc={nc}, cnonce=\"cnonce1\", response=\"{response}\", opaque=\"{opaque}\""
    )
}

fn layer() -> DigestAuthLayer {
    DigestAuthLayer::new(
        parse_digest_users([
            "test:traefik:a2688e031edb4be6a3797f3882655c05",
            "other:elsewhere:00000000000000000000000000000000",
        ])
        .unwrap(),
    )
}

#[tokio::test]
async fn challenge_then_success() {
    let mut svc = service(&layer());
    let first = send(&mut svc, "/a", None).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let value = first.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        value.starts_with("Digest realm=\"traefik\", nonce=\""),
        "{value}"
    );
    assert!(value.ends_with("algorithm=MD5, qop=\"auth\""), "{value}");
    let (nonce, opaque) = challenge(&first);

    let auth = authorization("test", "traefik", "test", "/a", &nonce, &opaque, "00000001");
    let ok = send(&mut svc, "/a", Some(auth.clone())).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.body(), "user= auth=true");

    // Replaying the same nonce count fails; a higher one passes.
    assert_eq!(
        send(&mut svc, "/a", Some(auth)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let next = authorization("test", "traefik", "test", "/a", &nonce, &opaque, "00000002");
    assert_eq!(
        send(&mut svc, "/a", Some(next)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn wrong_password_realm_or_nonce() {
    let mut svc = service(&layer());
    let (nonce, opaque) = challenge(&send(&mut svc, "/", None).await);
    let wrong = authorization("test", "traefik", "nope", "/", &nonce, &opaque, "00000001");
    assert_eq!(
        send(&mut svc, "/", Some(wrong)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let unknown = authorization("ghost", "traefik", "", "/", &nonce, &opaque, "00000001");
    assert_eq!(
        send(&mut svc, "/", Some(unknown)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A user of another realm cannot sign in to this one.
    let other = authorization("other", "elsewhere", "x", "/", &nonce, &opaque, "00000001");
    assert_eq!(
        send(&mut svc, "/", Some(other)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Another service (router) does not know this nonce or opaque.
    let mut second = service(&layer());
    let good = authorization("test", "traefik", "test", "/", &nonce, &opaque, "00000001");
    assert_eq!(
        send(&mut second, "/", Some(good)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn unknown_nonce_is_stale() {
    let mut svc = service(&layer());
    let (_, opaque) = challenge(&send(&mut svc, "/", None).await);
    let auth = authorization(
        "test",
        "traefik",
        "test",
        "/",
        "forgotten",
        &opaque,
        "00000001",
    );
    let response = send(&mut svc, "/", Some(auth)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let value = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(value.ends_with("stale=TRUE"), "{value}");
}

#[tokio::test]
async fn digest_uri_may_be_a_prefix_of_the_request_path() {
    let mut svc = service(&layer());
    let (nonce, opaque) = challenge(&send(&mut svc, "/dir/file", None).await);
    let auth = authorization(
        "test", "traefik", "test", "/dir", &nonce, &opaque, "00000001",
    );
    assert_eq!(
        send(&mut svc, "/dir/file", Some(auth)).await.status(),
        StatusCode::OK
    );
    let auth = authorization(
        "test", "traefik", "test", "/other", &nonce, &opaque, "00000002",
    );
    assert_eq!(
        send(&mut svc, "/dir/file", Some(auth)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn realm_header_field_and_remove_header() {
    let l = DigestAuthLayer::new(parse_digest_users(["u:r:".to_owned() + &h("u:r:p")]).unwrap())
        .realm("r")
        .header_field(HeaderName::from_static("x-user"))
        .remove_header(true);
    let mut svc = service(&l);
    let first = send(&mut svc, "/", None).await;
    assert!(
        first.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Digest realm=\"r\"")
    );
    let (nonce, opaque) = challenge(&first);
    let auth = authorization("u", "r", "p", "/", &nonce, &opaque, "00000001");
    let ok = send(&mut svc, "/", Some(auth)).await;
    assert_eq!(ok.body(), "user=u auth=false");
}

#[tokio::test]
async fn nonce_cache_is_bounded() {
    let mut svc = service(&layer());
    for _ in 0..1200 {
        let _ = send(&mut svc, "/", None).await;
    }
    let size = svc.clients().by_nonce.len();
    assert!(size <= 1101 + 1, "{size}");
}

#[test]
fn lists_and_users_parse() {
    assert_eq!(
        parse_list(r#"a="x, y", b=c ,, d"#),
        ["a=\"x, y\"", "b=c", "d"]
    );
    assert!(digest_params("Basic abc").is_none());
    assert!(parse_digest_users(["a:b"]).is_err());
}

#[tokio::test]
async fn oneshot_works_too() {
    let response = layer()
        .layer(service_fn(echo as fn(_) -> _))
        .oneshot(Request::get("/").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
