use std::convert::Infallible;

use base64::{Engine, engine::general_purpose::STANDARD};
use bytes::Bytes;
use http::{HeaderName, Request, Response, StatusCode};
use tower::{Layer, ServiceExt, service_fn};

use super::{BasicAuthLayer, InvalidUser, parse_users};

const TEST_TEST: &str = "test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/";
const TEST2_TEST2: &str = "test2:$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0";

async fn send(layer: &BasicAuthLayer, authorization: Option<&str>) -> Response<Bytes> {
    let svc = layer.layer(service_fn(|req: Request<()>| async move {
        let seen = format!(
            "user={:?} auth={:?}",
            req.headers()
                .get("x-user")
                .map(|v| v.to_str().unwrap().to_owned()),
            req.headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned()),
        );
        Ok::<_, Infallible>(Response::new(Bytes::from(seen)))
    }));
    let mut request = Request::get("/");
    if let Some(a) = authorization {
        request = request.header("authorization", a);
    }
    svc.oneshot(request.body(()).unwrap()).await.unwrap()
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

#[tokio::test]
async fn valid_credentials_reach_the_service() {
    let layer = BasicAuthLayer::new(parse_users([TEST_TEST, TEST2_TEST2]).unwrap());
    let response = send(&layer, Some(&basic("test2", "test2"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        std::str::from_utf8(response.body())
            .unwrap()
            .contains("auth=Some")
    );
    // The scheme is case-insensitive.
    let lower = basic("test", "test").replacen("Basic", "bAsIc", 1);
    assert_eq!(send(&layer, Some(&lower)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn missing_or_wrong_credentials_get_a_challenge() {
    let layer = BasicAuthLayer::new(parse_users([TEST_TEST]).unwrap());
    for auth in [
        None,
        Some(basic("test", "wrong")),
        Some(basic("nobody", "test")),
        Some("Bearer abc".to_owned()),
        Some("Basic !!!".to_owned()),
    ] {
        let response = send(&layer, auth.as_deref()).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Basic realm=\"traefik\""
        );
        assert_eq!(response.body(), "401 Unauthorized\n");
    }
}

#[tokio::test]
async fn realm_header_field_and_remove_header() {
    let layer = BasicAuthLayer::new(parse_users([TEST_TEST]).unwrap())
        .realm("my realm")
        .header_field(HeaderName::from_static("x-user"))
        .remove_header(true);
    let denied = send(&layer, None).await;
    assert_eq!(
        denied.headers()["www-authenticate"],
        "Basic realm=\"my realm\""
    );
    let response = send(&layer, Some(&basic("test", "test"))).await;
    assert_eq!(response.body(), "user=Some(\"test\") auth=None");
}

#[tokio::test]
async fn bcrypt_runs_off_the_executor() {
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let layer = BasicAuthLayer::new(parse_users([format!("admin:{hash}")]).unwrap());
    assert_eq!(
        send(&layer, Some(&basic("admin", "s3cret"))).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        send(&layer, Some(&basic("admin", "nope"))).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn user_entries_need_exactly_one_colon() {
    assert_eq!(
        parse_users(["bad"]).unwrap_err(),
        InvalidUser("bad".to_owned())
    );
    assert!(parse_users(["a:b:c"]).is_err());
    assert_eq!(parse_users(["a:{SHA}x"]).unwrap()[0].0, "a");
}
