//! Unit tests for the parsers and the router, driven without sockets.

use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, StatusCode, Uri},
};
use http_body::Body as _;
use tower::ServiceExt as _;

use crate::data::{DataBody, size};
use crate::health::final_status;
use crate::info::canonical;
use crate::params::{Params, parse_duration};
use crate::{MAX_DATA_BYTES, NAME_HEADER, Whoami};

fn params(query: &str) -> Params {
    let uri: Uri = format!("/x?{query}").parse().expect("test uri");
    Params::from_uri(&uri).expect("test query")
}

async fn call(router: axum::Router, request: Request<Body>) -> (StatusCode, String) {
    let response = router.oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).expect("request")
}

#[test]
fn go_durations_parse() {
    let ms = Duration::from_millis;
    assert_eq!(parse_duration("0"), Some(Duration::ZERO));
    assert_eq!(parse_duration("100ms"), Some(ms(100)));
    assert_eq!(parse_duration("2s"), Some(ms(2000)));
    assert_eq!(parse_duration("1.5s"), Some(ms(1500)));
    assert_eq!(parse_duration("1m30s"), Some(ms(90_000)));
    assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
    assert_eq!(parse_duration("+250us"), Some(Duration::from_micros(250)));
    assert_eq!(parse_duration("10µs"), Some(Duration::from_micros(10)));
    assert_eq!(parse_duration("5ns"), Some(Duration::from_nanos(5)));
}

#[test]
fn bad_durations_are_rejected() {
    for text in [
        "", "100", "-1s", "s", "1.2.3s", ".s", "1x", "ms100", "1e3s", "inf", "NaNs",
    ] {
        assert_eq!(parse_duration(text), None, "{text:?}");
    }
}

#[test]
fn wait_is_capped_and_named() {
    assert_eq!(
        params("wait=1s").wait().expect("ok"),
        Some(Duration::from_secs(1))
    );
    assert_eq!(
        params("delay=60s").wait().expect("ok"),
        Some(Duration::from_secs(60))
    );
    assert_eq!(params("other=1").wait().expect("ok"), None);
    let error = params("wait=61s").wait().expect_err("over the cap");
    assert_eq!(
        error.to_string(),
        "duration \"61s\" for `wait` exceeds the maximum of 60s"
    );
    let error = params("delay=soon").wait().expect_err("not a duration");
    assert!(
        error.to_string().contains("\"soon\" for `delay`"),
        "{error}"
    );
}

#[test]
fn data_size_units_and_cap() {
    assert_eq!(size(&params("")).expect("default"), 1);
    assert_eq!(size(&params("size=10")).expect("bytes"), 10);
    assert_eq!(size(&params("size=3&unit=kb")).expect("KB"), 3 * 1024);
    assert_eq!(size(&params("size=2&unit=MB")).expect("MB"), 2 << 20);
    assert_eq!(size(&params("size=1&unit=GB")).expect("GB"), MAX_DATA_BYTES);
    let error = size(&params("size=2&unit=GB")).expect_err("over the cap");
    assert!(error.to_string().contains("\"2GB\""), "{error}");
    assert!(size(&params("size=1&unit=TB")).is_err());
    assert!(size(&params("size=18446744073709551615&unit=KB")).is_err());
    assert!(size(&params("size=-1")).is_err());
    let error = size(&params("size=1&unit=PB")).expect_err("unknown unit");
    assert!(error.to_string().contains("\"PB\""), "{error}");
}

#[test]
fn final_statuses_only() {
    assert_eq!(
        final_status("503").expect("ok"),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(final_status("599").expect("ok").as_u16(), 599);
    for text in ["100", "101", "199", "600", "99", "abc", "", "-200"] {
        assert!(final_status(text).is_err(), "{text:?}");
    }
}

#[test]
fn header_names_are_canonical() {
    assert_eq!(canonical("x-forwarded-for"), "X-Forwarded-For");
    assert_eq!(canonical("user-agent"), "User-Agent");
    assert_eq!(canonical("accept"), "Accept");
    assert_eq!(canonical("x--a"), "X--A");
}

#[test]
fn data_body_reports_its_exact_size() {
    let body = DataBody::new(40_000);
    assert_eq!(body.size_hint().exact(), Some(40_000));
    assert!(!body.is_end_stream());
    assert!(DataBody::new(0).is_end_stream());
}

#[tokio::test]
async fn data_body_streams_the_pattern() {
    let bytes = axum::body::to_bytes(Body::new(DataBody::new(40_000)), usize::MAX)
        .await
        .expect("body");
    assert_eq!(bytes.len(), 40_000);
    assert!(bytes.starts_with(b"ABCDEFGHIJKLMNOPQRSTUVWXYZABC"));
    assert!(bytes.iter().all(u8::is_ascii_uppercase));
}

#[tokio::test]
async fn name_header_only_when_named() {
    let named = Whoami::new(Some("w1".to_owned())).router();
    let response = named.oneshot(get("/bench")).await.expect("infallible");
    assert_eq!(response.headers()[NAME_HEADER], "w1");

    let anonymous = Whoami::new(Some(String::new())).router();
    let response = anonymous.oneshot(get("/bench")).await.expect("infallible");
    assert!(response.headers().get(NAME_HEADER).is_none());
}

#[tokio::test]
async fn dump_without_connect_info_omits_remote_addr() {
    let (status, body) = call(Whoami::new(None).router(), get("/hello?a=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("RemoteAddr:"), "{body}");
    assert!(!body.contains("Name:"), "{body}");
    assert!(body.contains("GET /hello?a=1 HTTP/1.1\r\n"), "{body}");
}

#[tokio::test]
async fn health_state_is_shared_by_clones_not_by_servers() {
    let whoami = Whoami::new(None);
    let post = Request::post("/health")
        .body(Body::from("503"))
        .expect("request");
    let (status, _) = call(whoami.router(), post).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(whoami.clone().router(), get("/health")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "Service Unavailable\n");
    let (status, _) = call(Whoami::new(None).router(), get("/health")).await;
    assert_eq!(status, StatusCode::OK);
}
