//! The `weighted` service: weights, health propagation, sticky cookies.

mod common;

use std::collections::HashMap;

use http::{StatusCode, header::SET_COOKIE};
use portico_core::{Body, HttpRequest};
use portico_service::{ServiceHealth, StickyCookie, Weighted, WeightedChild, sticky_value};
use tower::ServiceExt;

use common::{backend, child, text};

async fn names(service: &Weighted, n: usize) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for _ in 0..n {
        let response = service
            .clone()
            .oneshot(HttpRequest::new(Body::empty()))
            .await
            .unwrap();
        *counts.entry(text(response).await).or_default() += 1;
    }
    counts
}

fn up(name: &'static str, weight: u32) -> WeightedChild {
    WeightedChild::new(name, weight, child(name).0, ServiceHealth::always_up())
}

#[tokio::test]
async fn requests_follow_the_weights() {
    let weighted = Weighted::new(vec![up("a", 3), up("b", 1), up("zero", 0)]);
    let counts = names(&weighted, 400).await;
    assert_eq!(counts.get("a"), Some(&300));
    assert_eq!(counts.get("b"), Some(&100));
    assert_eq!(counts.get("zero"), None, "weight 0 is never picked");
}

#[tokio::test]
async fn no_child_with_weight_answers_no_available_server() {
    let weighted = Weighted::new(vec![up("zero", 0)]);
    let response = weighted
        .oneshot(HttpRequest::new(Body::empty()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(text(response).await, "no available server");
}

#[tokio::test]
async fn unhealthy_children_are_skipped_with_health_check() {
    let (a_flag, a_health) = ServiceHealth::flag(true);
    let (b_flag, b_health) = ServiceHealth::flag(true);
    let children = || {
        vec![
            WeightedChild::new("a", 1, child("a").0, a_health.clone()),
            WeightedChild::new("b", 1, child("b").0, b_health.clone()),
        ]
    };
    let checked = Weighted::new(children()).health_check(true);
    let unchecked = Weighted::new(children());
    let health = checked.health();
    assert!(health.is_up());
    assert!(unchecked.health().is_up());

    a_flag.set(false);
    assert_eq!(names(&checked, 10).await.get("b"), Some(&10));
    let counts = names(&unchecked, 10).await;
    assert_eq!(
        (counts.get("a"), counts.get("b")),
        (Some(&5), Some(&5)),
        "without health_check every child is picked"
    );
    assert!(health.is_up(), "b is still up");

    b_flag.set(false);
    assert!(!health.is_up());
    assert!(unchecked.health().is_up(), "always up without health_check");
    let response = checked
        .clone()
        .oneshot(HttpRequest::new(Body::empty()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);

    a_flag.set(true);
    assert!(health.is_up());
    assert_eq!(names(&checked, 4).await.get("a"), Some(&4), "a is back");
}

fn with_cookie(value: &str) -> HttpRequest {
    let mut request = HttpRequest::new(Body::empty());
    request.headers_mut().insert(
        "cookie",
        format!("other=1; lb={value}")
            .parse()
            .expect("cookie header"),
    );
    request
}

#[tokio::test]
async fn sticky_cookie_pins_clients_and_moves_them_off_unhealthy_children() {
    let (a_flag, a_health) = ServiceHealth::flag(true);
    let weighted = Weighted::new(vec![
        WeightedChild::new("a", 1, child("a").0, a_health),
        up("b", 1),
    ])
    .sticky(Some(StickyCookie::new("lb").http_only(true)))
    .health_check(true);

    // The first pick sets the cookie to the hash of the child's name; pin the
    // client to `a` whichever child that was.
    let first = weighted
        .clone()
        .oneshot(HttpRequest::new(Body::empty()))
        .await
        .unwrap();
    let cookie = first.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let name = text(first).await;
    assert_eq!(
        cookie,
        format!("lb={}; Path=/; HttpOnly", sticky_value(&name))
    );

    // A pinned client keeps going to its child, without a new cookie.
    for _ in 0..5 {
        let response = weighted
            .clone()
            .oneshot(with_cookie(&sticky_value("a")))
            .await
            .unwrap();
        assert!(!response.headers().contains_key(SET_COOKIE));
        assert_eq!(text(response).await, "a");
    }

    // `a` goes down: the client moves to `b` and is re-pinned there.
    a_flag.set(false);
    let moved = weighted
        .clone()
        .oneshot(with_cookie(&sticky_value("a")))
        .await
        .unwrap();
    let cookie = moved.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with(&format!("lb={};", sticky_value("b"))),
        "{cookie}"
    );
    assert_eq!(text(moved).await, "b");

    // Back up: the client pinned to `a` goes there again.
    a_flag.set(true);
    let back = weighted
        .clone()
        .oneshot(with_cookie(&sticky_value("a")))
        .await
        .unwrap();
    assert_eq!(text(back).await, "a");

    // An unknown value is treated as no cookie.
    let unknown = weighted.clone().oneshot(with_cookie("nope")).await.unwrap();
    assert!(unknown.headers().contains_key(SET_COOKIE));
}

#[tokio::test]
async fn raw_name_cookies_are_honoured_and_rewritten() {
    let weighted =
        Weighted::new(vec![up("a", 1), up("b", 1)]).sticky(Some(StickyCookie::new("lb")));
    for _ in 0..3 {
        let response = weighted.clone().oneshot(with_cookie("b")).await.unwrap();
        let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert_eq!(cookie, format!("lb={}; Path=/", sticky_value("b")));
        assert_eq!(text(response).await, "b");
    }
}

#[tokio::test]
async fn sticky_cookie_survives_unhealthy_children_without_health_check() {
    let (a_flag, a_health) = ServiceHealth::flag(true);
    let weighted = Weighted::new(vec![
        WeightedChild::new("a", 1, child("a").0, a_health),
        up("b", 1),
    ])
    .sticky(Some(StickyCookie::new("lb")));
    a_flag.set(false);
    let response = weighted
        .oneshot(with_cookie(&sticky_value("a")))
        .await
        .unwrap();
    assert!(!response.headers().contains_key(SET_COOKIE));
    assert_eq!(text(response).await, "a");
}

#[tokio::test]
async fn real_backends_receive_the_request_and_the_cookie_is_added() {
    let mut v1 = backend("v1", StatusCode::OK).await;
    let mut v2 = backend("v2", StatusCode::CREATED).await;
    let weighted = Weighted::new(vec![
        WeightedChild::new("v1", 1, v1.service(), ServiceHealth::always_up()),
        WeightedChild::new("v2", 1, v2.service(), ServiceHealth::always_up()),
    ])
    .sticky(Some(StickyCookie::new("s")));

    // Two requests: one to each backend (equal weights, whichever comes first).
    let mut answers = Vec::new();
    for _ in 0..2 {
        let request = http::Request::post("http://app.example/orders?id=7")
            .header("x-trace", "abc")
            .body(Body::from("payload"))
            .unwrap();
        let response = weighted.clone().oneshot(request).await.unwrap();
        assert!(
            response.headers()[SET_COOKIE]
                .to_str()
                .unwrap()
                .starts_with("s=")
        );
        answers.push((response.status(), text(response).await));
    }
    answers.sort();
    assert_eq!(
        answers,
        [
            (StatusCode::OK, "v1".to_owned()),
            (StatusCode::CREATED, "v2".to_owned())
        ]
    );
    for seen in [v1.next().await, v2.next().await] {
        assert_eq!(
            (seen.method.as_str(), seen.path_and_query.as_str()),
            ("POST", "/orders?id=7")
        );
        assert_eq!(seen.headers["x-trace"], "abc");
        assert_eq!(&seen.body[..], b"payload");
    }
}
