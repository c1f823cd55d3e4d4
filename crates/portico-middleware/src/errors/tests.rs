use std::{
    convert::Infallible,
    sync::{Arc, Mutex},
};

use http::{HeaderName, Request, Response, StatusCode};
use http_body_util::BodyExt;
use portico_core::{Body, ConnectionInfo};
use tower::{Layer, ServiceExt, service_fn};

use super::*;

type Pages = Arc<Mutex<Vec<Request<Body>>>>;

fn pages_service(
    seen: Pages,
) -> impl tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future: Send>
+ Clone
+ Send
+ 'static {
    service_fn(move |request: Request<Body>| {
        let seen = seen.clone();
        async move {
            let body = format!("page for {}", request.uri());
            seen.lock().expect("lock").push(request);
            let mut response = Response::new(Body::from(body));
            response
                .headers_mut()
                .insert("content-type", "text/html".parse().expect("value"));
            // The error service's own status is not what the client gets.
            *response.status_mut() = StatusCode::OK;
            Ok::<_, Infallible>(response)
        }
    })
}

async fn run(
    layer: ErrorPagesLayer<
        impl tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static,
    >,
    backend_status: u16,
    target: &str,
) -> (StatusCode, String, http::HeaderMap) {
    let svc = layer.layer(service_fn(move |_: Request<Body>| async move {
        let mut response = Response::new(Body::from("backend body"));
        *response.status_mut() = StatusCode::from_u16(backend_status).expect("status");
        response
            .headers_mut()
            .insert("x-backend", "yes".parse().expect("value"));
        Ok::<_, Infallible>(response)
    }));
    let mut request = Request::get(target)
        .header("host", "app.example")
        .header("cookie", "session=1")
        .header("accept", "text/html")
        .body(Body::empty())
        .expect("request");
    request.extensions_mut().insert(ConnectionInfo::new(
        "192.0.2.1:1000".parse().expect("peer"),
        "127.0.0.1:80".parse().expect("local"),
        "web".into(),
        false,
    ));
    let response = svc.oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), headers)
}

#[tokio::test]
async fn caught_statuses_get_the_page_with_the_original_status() {
    let seen = Pages::default();
    let layer = ErrorPagesLayer::new(vec![(500, 599), (404, 404)], pages_service(seen.clone()))
        .query("/{status}.html?from={originalStatus}&url={url}");
    let (status, body, headers) = run(layer.clone(), 503, "/a%20b?x=1&y=%C3%A9").await;
    assert_eq!(status, 503);
    assert_eq!(
        body,
        "page for /503.html?from=503&url=%2Fa%2520b%3Fx%3D1%26y%3D%25C3%25A9"
    );
    assert_eq!(headers["content-type"], "text/html");
    assert!(!headers.contains_key("x-backend"));
    let (status, body, _) = run(layer.clone(), 404, "/missing").await;
    assert_eq!(
        (status.as_u16(), body.as_str()),
        (404, "page for /404.html?from=404&url=%2Fmissing")
    );
    // Other statuses pass through untouched.
    let (status, body, headers) = run(layer, 403, "/").await;
    assert_eq!((status.as_u16(), body.as_str()), (403, "backend body"));
    assert_eq!(headers["x-backend"], "yes");
    // The page request carries the client's headers and connection facts.
    let requests = seen.lock().expect("lock");
    let first = &requests[0];
    assert_eq!(first.method(), "GET");
    assert_eq!(first.headers()["host"], "app.example");
    assert_eq!(first.headers()["cookie"], "session=1");
    assert!(first.extensions().get::<ConnectionInfo>().is_some());
}

#[tokio::test]
async fn rewrites_change_the_status_and_query() {
    let seen = Pages::default();
    let layer = ErrorPagesLayer::new(vec![(400, 599)], pages_service(seen))
        .query("errors/{status}-{originalStatus}")
        .status_rewrites(vec![
            (vec![(418, 418)], StatusCode::NOT_FOUND),
            (vec![(502, 504)], StatusCode::INTERNAL_SERVER_ERROR),
        ]);
    let (status, body, _) = run(layer.clone(), 418, "/").await;
    assert_eq!(
        (status.as_u16(), body.as_str()),
        (404, "page for /errors/404-418")
    );
    let (status, body, _) = run(layer.clone(), 504, "/").await;
    assert_eq!(
        (status.as_u16(), body.as_str()),
        (500, "page for /errors/500-504")
    );
    let (status, body, _) = run(layer, 501, "/").await;
    assert_eq!(
        (status.as_u16(), body.as_str()),
        (501, "page for /errors/501-501")
    );
}

#[tokio::test]
async fn selected_headers_only() {
    let seen = Pages::default();
    let layer = ErrorPagesLayer::new(vec![(500, 500)], pages_service(seen.clone()))
        .request_headers(Some(vec![HeaderName::from_static("accept")]));
    let (status, body, _) = run(layer, 500, "/").await;
    assert_eq!((status.as_u16(), body.as_str()), (500, "page for /"));
    let seen = Pages::default();
    let none = ErrorPagesLayer::new(vec![(500, 500)], pages_service(seen.clone()))
        .request_headers(Some(vec![]));
    run(none, 500, "/").await;
    let requests = seen.lock().expect("lock");
    assert!(requests[0].headers().get("cookie").is_none());
    assert!(requests[0].headers().get("accept").is_none());
    // Host is always kept.
    assert_eq!(requests[0].headers()["host"], "app.example");
}

#[test]
fn go_query_escape() {
    assert_eq!(query_escape("/a b?c=d&e=f~g"), "%2Fa+b%3Fc%3Dd%26e%3Df~g");
}
