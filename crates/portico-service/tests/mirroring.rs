//! The `mirroring` service: shares, fire-and-forget copies, bodies.

mod common;

use std::time::Duration;

use http::{Request, StatusCode};
use portico_core::{Body, HttpRequest};
use portico_service::{Mirror, Mirroring, ServiceHealth};
use tower::ServiceExt;

use common::{
    backend, child, child_with_status, eventually, hanging_backend, hanging_child, request_from,
    text, within,
};

fn post(body: &'static str) -> HttpRequest {
    Request::post("http://app.example/upload?x=1")
        .header("x-req", "42")
        .body(Body::from(body))
        .expect("test request")
}

#[tokio::test]
async fn mirrors_get_their_percent_of_requests() {
    let (main, main_calls) = child("main");
    let (m10, m10_calls) = child("m10");
    let (m50, m50_calls) = child("m50");
    let (m0, m0_calls) = child("m0");
    let mirroring = Mirroring::new(
        (main, ServiceHealth::always_up()),
        vec![
            Mirror::new("m10", m10, 10),
            Mirror::new("m50", m50, 50),
            Mirror::new("m0", m0, 0),
        ],
    );
    for _ in 0..1000 {
        let response = mirroring.clone().oneshot(post("body")).await.unwrap();
        assert_eq!(text(response).await, "main");
        // Let the copies' tasks run (single-threaded runtime), so the in-flight
        // limit does not drop any.
        tokio::task::yield_now().await;
    }
    assert_eq!(main_calls.get(), 1000);
    // Traefik's counter is deterministic (exactly 100 and 500); the bounds are
    // what a random 10 % / 50 % draw would keep within four deviations.
    eventually("copies", || {
        m10_calls.get() >= 100 && m50_calls.get() >= 500
    })
    .await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!((62..=138).contains(&m10_calls.get()), "{}", m10_calls.get());
    assert!(
        (437..=563).contains(&m50_calls.get()),
        "{}",
        m50_calls.get()
    );
    assert_eq!((m10_calls.get(), m50_calls.get()), (100, 500));
    assert_eq!(m0_calls.get(), 0);
}

#[tokio::test]
async fn a_hung_mirror_neither_delays_nor_piles_up() {
    let (main, main_calls) = child("main");
    let (hung, hung_calls) = hanging_child();
    let mirroring = Mirroring::new(
        (main, ServiceHealth::always_up()),
        vec![Mirror::new("hung", hung, 100)],
    )
    .max_in_flight(4);
    for _ in 0..20 {
        let response = within(
            Duration::from_secs(2),
            "main answer",
            mirroring.clone().oneshot(post("b")),
        )
        .await
        .unwrap();
        assert_eq!(text(response).await, "main");
    }
    assert_eq!(main_calls.get(), 20);
    eventually("4 copies in flight", || hung_calls.get() == 4).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        hung_calls.get(),
        4,
        "copies beyond the in-flight limit are dropped"
    );
}

#[tokio::test]
async fn a_failing_mirror_changes_nothing_for_the_client() {
    let (main, _) = child_with_status("main", StatusCode::ACCEPTED);
    let (broken, broken_calls) = child_with_status("broken", StatusCode::INTERNAL_SERVER_ERROR);
    let mirroring = Mirroring::new(
        (main, ServiceHealth::always_up()),
        vec![Mirror::new("broken", broken, 100)],
    );
    let response = mirroring.oneshot(post("b")).await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(text(response).await, "main");
    eventually("mirror called", || broken_calls.get() == 1).await;
}

#[tokio::test]
async fn copies_carry_method_path_headers_and_body() {
    let mut main = backend("main", StatusCode::OK).await;
    let mut shadow = backend("shadow", StatusCode::OK).await;
    let mirroring = Mirroring::new(
        (main.service(), ServiceHealth::always_up()),
        vec![Mirror::new("shadow", shadow.service(), 100)],
    );
    let mut request = post("the request body");
    request
        .extensions_mut()
        .extend(request_from("192.0.2.9").into_parts().0.extensions);
    let response = mirroring.oneshot(request).await.unwrap();
    assert_eq!(text(response).await, "main");

    let to_main = main.next().await;
    let copy = shadow.next().await;
    for seen in [&to_main, &copy] {
        assert_eq!(seen.method, "POST");
        assert_eq!(seen.path_and_query, "/upload?x=1");
        assert_eq!(seen.headers["x-req"], "42");
        assert_eq!(seen.headers["x-forwarded-for"], "192.0.2.9");
        assert_eq!(&seen.body[..], b"the request body");
    }
}

#[tokio::test]
async fn a_hung_real_mirror_does_not_delay_the_main_request() {
    let mut main = backend("main", StatusCode::OK).await;
    let mut hung = hanging_backend().await;
    let mirroring = Mirroring::new(
        (main.service(), ServiceHealth::always_up()),
        vec![Mirror::new("hung", hung.service(), 100)],
    );
    for _ in 0..3 {
        let response = within(
            Duration::from_secs(2),
            "main answer",
            mirroring.clone().oneshot(post("x")),
        )
        .await
        .unwrap();
        assert_eq!(text(response).await, "main");
        main.next().await;
        hung.next().await;
    }
}

#[tokio::test]
async fn bodies_over_the_limit_reach_main_whole_and_are_not_mirrored() {
    let mut main = backend("main", StatusCode::OK).await;
    let mut shadow = backend("shadow", StatusCode::OK).await;
    let mirroring = Mirroring::new(
        (main.service(), ServiceHealth::always_up()),
        vec![Mirror::new("shadow", shadow.service(), 100)],
    )
    .max_body_size(Some(8));

    let big = "0123456789abcdef";
    let response = mirroring.clone().oneshot(post(big)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(&main.next().await.body[..], big.as_bytes());
    assert!(shadow.saw_nothing_within(Duration::from_millis(200)).await);

    // At the limit, the body is mirrored.
    mirroring.oneshot(post("12345678")).await.unwrap();
    assert_eq!(&main.next().await.body[..], b"12345678");
    assert_eq!(&shadow.next().await.body[..], b"12345678");
}

#[tokio::test]
async fn without_mirror_body_copies_have_no_body() {
    let mut main = backend("main", StatusCode::OK).await;
    let mut shadow = backend("shadow", StatusCode::OK).await;
    let mirroring = Mirroring::new(
        (main.service(), ServiceHealth::always_up()),
        vec![Mirror::new("shadow", shadow.service(), 100)],
    )
    .mirror_body(false)
    .max_body_size(Some(1));
    mirroring
        .oneshot(post("a body larger than the limit"))
        .await
        .unwrap();
    assert_eq!(&main.next().await.body[..], b"a body larger than the limit");
    let copy = shadow.next().await;
    assert_eq!(
        (copy.method.as_str(), copy.path_and_query.as_str()),
        ("POST", "/upload?x=1")
    );
    assert!(copy.body.is_empty());
    assert_eq!(copy.headers["x-req"], "42");
}

#[tokio::test]
async fn health_follows_the_main_service_with_health_check() {
    let (flag, main_health) = ServiceHealth::flag(true);
    let (main, _) = child("main");
    let (shadow, _) = child("shadow");
    let checked = Mirroring::new(
        (main.clone(), main_health.clone()),
        vec![Mirror::new("s", shadow, 5)],
    )
    .health_check(true);
    let unchecked = Mirroring::new((main, main_health), Vec::new());
    assert!(checked.health().is_up());
    flag.set(false);
    assert!(!checked.health().is_up());
    assert!(unchecked.health().is_up());
}
