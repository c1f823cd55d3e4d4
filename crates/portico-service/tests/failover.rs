//! The `failover` service: by health, back again, and replays by status.

mod common;

use std::time::Duration;

use http::{Request, StatusCode};
use portico_core::{Body, HttpRequest};
use portico_service::{Failover, ServiceHealth};
use tower::ServiceExt;

use common::{backend, child, child_with_status, text};

fn post(body: &'static str) -> HttpRequest {
    Request::put("http://app.example/items/3")
        .header("x-req", "7")
        .body(Body::from(body))
        .expect("test request")
}

async fn answer(failover: &Failover) -> (StatusCode, String) {
    let response = failover.clone().oneshot(post("x")).await.unwrap();
    (response.status(), text(response).await)
}

#[tokio::test]
async fn main_down_goes_to_fallback_and_back() {
    let (main_flag, main_health) = ServiceHealth::flag(true);
    let (fallback_flag, fallback_health) = ServiceHealth::flag(true);
    let (main, main_calls) = child("main");
    let (fallback, fallback_calls) = child("fallback");
    let failover =
        Failover::new((main, main_health), (fallback, fallback_health)).health_check(true);
    let health = failover.health();

    assert_eq!(answer(&failover).await.1, "main");
    main_flag.set(false);
    assert_eq!(answer(&failover).await.1, "fallback");
    assert_eq!(answer(&failover).await.1, "fallback");
    assert!(health.is_up(), "the fallback is up");
    main_flag.set(true);
    assert_eq!(answer(&failover).await.1, "main");
    assert_eq!((main_calls.get(), fallback_calls.get()), (2, 2));

    main_flag.set(false);
    fallback_flag.set(false);
    assert!(!health.is_up());
    let (status, body) = answer(&failover).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "no available server")
    );
    fallback_flag.set(true);
    assert!(health.is_up());
    assert_eq!(answer(&failover).await.1, "fallback");
}

#[tokio::test]
async fn without_health_check_the_service_is_always_up() {
    let (flag, main_health) = ServiceHealth::flag(false);
    let (main, _) = child("main");
    let (fallback, _) = child("fallback");
    let failover = Failover::new(
        (main, main_health),
        (fallback, ServiceHealth::flag(false).1),
    );
    assert!(failover.health().is_up());
    flag.set(true);
    assert_eq!(
        answer(&failover).await.1,
        "main",
        "routing still follows the children"
    );
}

#[tokio::test]
async fn error_statuses_replay_the_request_to_the_fallback() {
    let (main, main_calls) = child_with_status("main", StatusCode::BAD_GATEWAY);
    let (fallback, fallback_calls) = child("fallback");
    let failover = Failover::new(
        (main, ServiceHealth::always_up()),
        (fallback, ServiceHealth::always_up()),
    )
    .error_statuses(vec![(500, 504)]);
    assert_eq!(
        answer(&failover).await,
        (StatusCode::OK, "fallback".to_owned())
    );
    assert_eq!((main_calls.get(), fallback_calls.get()), (1, 1));

    // Statuses outside the ranges are returned as they are.
    let (main, _) = child_with_status("main", StatusCode::NOT_FOUND);
    let (fallback, fallback_calls) = child("fallback");
    let failover = Failover::new(
        (main, ServiceHealth::always_up()),
        (fallback, ServiceHealth::always_up()),
    )
    .error_statuses(vec![(500, 504), (429, 429)]);
    assert_eq!(
        answer(&failover).await,
        (StatusCode::NOT_FOUND, "main".to_owned())
    );
    assert_eq!(fallback_calls.get(), 0);
}

#[tokio::test]
async fn without_a_healthy_fallback_the_main_answer_stands() {
    let (main, _) = child_with_status("main", StatusCode::SERVICE_UNAVAILABLE);
    let (fallback, fallback_calls) = child("fallback");
    let failover = Failover::new(
        (main, ServiceHealth::always_up()),
        (fallback, ServiceHealth::flag(false).1),
    )
    .error_statuses(vec![(500, 599)]);
    assert_eq!(
        answer(&failover).await,
        (StatusCode::SERVICE_UNAVAILABLE, "main".to_owned())
    );
    assert_eq!(fallback_calls.get(), 0);
}

#[tokio::test]
async fn replays_carry_the_body_to_a_real_fallback() {
    let mut main = backend("main", StatusCode::INTERNAL_SERVER_ERROR).await;
    let mut fallback = backend("fallback", StatusCode::OK).await;
    let failover = Failover::new(
        (main.service(), ServiceHealth::always_up()),
        (fallback.service(), ServiceHealth::always_up()),
    )
    .error_statuses(vec![(500, 500)])
    .max_request_body_bytes(Some(1024));

    let response = failover.oneshot(post("replay me")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "fallback");
    for seen in [main.next().await, fallback.next().await] {
        assert_eq!(
            (seen.method.as_str(), seen.path_and_query.as_str()),
            ("PUT", "/items/3")
        );
        assert_eq!(seen.headers["x-req"], "7");
        assert_eq!(&seen.body[..], b"replay me");
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_not_replayed() {
    let mut main = backend("main", StatusCode::INTERNAL_SERVER_ERROR).await;
    let mut fallback = backend("fallback", StatusCode::OK).await;
    let failover = Failover::new(
        (main.service(), ServiceHealth::always_up()),
        (fallback.service(), ServiceHealth::always_up()),
    )
    .error_statuses(vec![(500, 500)])
    .max_request_body_bytes(Some(4));

    let response = failover
        .clone()
        .oneshot(post("more than four bytes"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(text(response).await, "main");
    assert_eq!(&main.next().await.body[..], b"more than four bytes");
    assert!(
        fallback
            .saw_nothing_within(Duration::from_millis(200))
            .await
    );

    // Within the limit, the replay happens.
    let response = failover.oneshot(post("four")).await.unwrap();
    assert_eq!(text(response).await, "fallback");
    assert_eq!(&fallback.next().await.body[..], b"four");
}

#[tokio::test]
async fn a_real_main_going_down_uses_the_real_fallback() {
    let mut main = backend("main", StatusCode::OK).await;
    let mut fallback = backend("fallback", StatusCode::OK).await;
    let (flag, main_health) = ServiceHealth::flag(true);
    let failover = Failover::new(
        (main.service(), main_health),
        (fallback.service(), ServiceHealth::always_up()),
    );
    assert_eq!(answer(&failover).await.1, "main");
    main.next().await;
    flag.set(false);
    assert_eq!(answer(&failover).await.1, "fallback");
    assert_eq!(&fallback.next().await.body[..], b"x");
    flag.set(true);
    assert_eq!(answer(&failover).await.1, "main");
    main.next().await;
}
