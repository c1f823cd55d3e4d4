use std::{
    convert::Infallible,
    sync::{Arc, Mutex},
    time::Duration,
};

use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use portico_core::{Body, HttpResponse, ProxyError};
use tokio::time::Instant;
use tower::{Layer, ServiceExt, service_fn, util::BoxCloneService};

use super::*;

/// What the backend answers, in order (the last one repeats).
#[derive(Clone, Copy, Debug)]
enum Answer {
    Ok,
    Status(u16),
    Unreachable,
    BrokenExchange,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<(Instant, String)>>>);

impl Log {
    fn bodies(&self) -> Vec<String> {
        self.0
            .lock()
            .expect("lock")
            .iter()
            .map(|(_, b)| b.clone())
            .collect()
    }
    fn times(&self) -> Vec<Instant> {
        self.0
            .lock()
            .expect("lock")
            .iter()
            .map(|(t, _)| *t)
            .collect()
    }
}

fn service(
    layer: &RetryLayer,
    answers: Vec<Answer>,
    log: Log,
) -> BoxCloneService<Request<Body>, HttpResponse, Infallible> {
    BoxCloneService::new(layer.layer(service_fn(move |request: Request<Body>| {
        let log = log.clone();
        let answers = answers.clone();
        async move {
            let body = request
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            let n = {
                let mut entries = log.0.lock().expect("lock");
                entries.push((Instant::now(), String::from_utf8_lossy(&body).into_owned()));
                entries.len()
            };
            let answer = answers[(n - 1).min(answers.len() - 1)];
            Ok::<_, Infallible>(match answer {
                Answer::Ok => Response::new(Body::from("ok")),
                Answer::Status(code) => {
                    let mut r = Response::new(Body::from("failed"));
                    *r.status_mut() = StatusCode::from_u16(code).expect("status");
                    r
                }
                Answer::Unreachable => ProxyError::UpstreamConnect {
                    authority: "10.0.0.1:80".into(),
                    source: "connection refused".into(),
                }
                .into_response(),
                Answer::BrokenExchange => ProxyError::Upstream {
                    authority: "10.0.0.1:80".into(),
                    source: "connection reset".into(),
                }
                .into_response(),
            })
        }
    })))
}

fn request(method: Method, body: &'static str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri("/x")
        .body(Body::from(body))
        .expect("request")
}

#[tokio::test(start_paused = true)]
async fn unreachable_backend_is_retried_with_the_body_replayed() {
    use Answer::*;
    let log = Log::default();
    let svc = service(
        &RetryLayer::new(3),
        vec![Unreachable, Unreachable, Ok],
        log.clone(),
    );
    // Even a POST: the backend never saw it.
    let response = svc
        .oneshot(request(Method::POST, "payload"))
        .await
        .expect("infallible");
    assert_eq!(response.status(), 200);
    assert_eq!(log.bodies(), vec!["payload"; 3]);
}

#[tokio::test(start_paused = true)]
async fn the_last_attempt_is_returned_as_is() {
    use Answer::*;
    let log = Log::default();
    let svc = service(&RetryLayer::new(2), vec![Unreachable], log.clone());
    let response = svc
        .oneshot(request(Method::GET, ""))
        .await
        .expect("infallible");
    assert_eq!(response.status(), 502);
    assert_eq!(log.bodies().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn failures_after_sending_are_not_network_retries() {
    use Answer::*;
    let log = Log::default();
    let svc = service(&RetryLayer::new(3), vec![BrokenExchange, Ok], log.clone());
    let response = svc
        .oneshot(request(Method::GET, ""))
        .await
        .expect("infallible");
    assert_eq!(response.status(), 502);
    assert_eq!(log.bodies().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn statuses_are_retried_for_idempotent_methods_only() {
    use Answer::*;
    let layer = RetryLayer::new(3).retry_statuses(vec![(500, 599)]);
    let log = Log::default();
    let svc = service(&layer, vec![Status(503), Status(500), Ok], log.clone());
    let response = svc
        .oneshot(request(Method::PUT, "v"))
        .await
        .expect("infallible");
    assert_eq!(response.status(), 200);
    assert_eq!(log.bodies().len(), 3);

    for method in [
        Method::POST,
        Method::PATCH,
        Method::from_bytes(b"LOCK").expect("method"),
    ] {
        let log = Log::default();
        let svc = service(&layer, vec![Status(503), Ok], log.clone());
        let response = svc
            .oneshot(request(method, "once"))
            .await
            .expect("infallible");
        assert_eq!(response.status(), 503);
        assert_eq!(log.bodies(), vec!["once"]);
    }

    let log = Log::default();
    let svc = service(
        &layer.clone().retry_non_idempotent(true),
        vec![Status(503), Ok],
        log.clone(),
    );
    let response = svc
        .oneshot(request(Method::POST, "twice"))
        .await
        .expect("infallible");
    assert_eq!(response.status(), 200);
    assert_eq!(log.bodies(), vec!["twice", "twice"]);
}

#[tokio::test(start_paused = true)]
async fn other_statuses_and_disabled_network_retries_pass_through() {
    use Answer::*;
    let layer = RetryLayer::new(3)
        .retry_statuses(vec![(502, 502)])
        .retry_network_errors(false);
    let log = Log::default();
    let svc = service(&layer, vec![Status(503), Ok], log.clone());
    assert_eq!(
        svc.oneshot(request(Method::GET, ""))
            .await
            .expect("ok")
            .status(),
        503
    );
    assert_eq!(log.bodies().len(), 1);
    let log = Log::default();
    // Unreachable is a 502 from Portico: retried here because 502 is listed.
    let svc = service(&layer, vec![Unreachable, Ok], log.clone());
    assert_eq!(
        svc.oneshot(request(Method::GET, ""))
            .await
            .expect("ok")
            .status(),
        200
    );
    let log = Log::default();
    let layer = RetryLayer::new(3)
        .retry_network_errors(false)
        .retry_statuses(vec![(500, 500)]);
    let svc = service(&layer, vec![Unreachable, Ok], log.clone());
    assert_eq!(
        svc.oneshot(request(Method::GET, ""))
            .await
            .expect("ok")
            .status(),
        502
    );
    assert_eq!(log.bodies().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn exponential_backoff_between_attempts() {
    use Answer::*;
    let layer = RetryLayer::new(3).initial_interval(Duration::from_millis(100));
    let log = Log::default();
    let svc = service(&layer, vec![Unreachable, Unreachable, Ok], log.clone());
    assert_eq!(
        svc.oneshot(request(Method::GET, ""))
            .await
            .expect("ok")
            .status(),
        200
    );
    let t = log.times();
    let first = t[1] - t[0];
    let second = t[2] - t[1];
    // 100ms ±50%, then 100ms × √2 ±50%.
    assert!(
        first >= Duration::from_millis(50) && first <= Duration::from_millis(150),
        "{first:?}"
    );
    assert!(
        second >= Duration::from_millis(70) && second <= Duration::from_millis(213),
        "{second:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_to_twice_the_initial_interval() {
    let mut backoff = Backoff::new(Duration::from_secs(1), 5);
    let mut waits = Vec::new();
    for _ in 0..4 {
        waits.push(backoff.next());
    }
    // The un-randomized intervals are 1, 1.19, 1.41, 1.68 and then 2 seconds.
    assert!((backoff.current.as_secs_f64() - 2.0).abs() < 1e-6);
    assert!(waits.iter().all(|w| *w >= Duration::from_millis(500)));
    assert!(waits[3] <= Duration::from_millis(2_523));
    assert_eq!(Backoff::new(Duration::ZERO, 3).next(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn no_new_attempt_after_the_timeout() {
    use Answer::*;
    let layer = RetryLayer::new(10)
        .initial_interval(Duration::from_millis(200))
        .timeout(Duration::from_millis(100));
    let log = Log::default();
    let svc = service(&layer, vec![Unreachable], log.clone());
    assert_eq!(
        svc.oneshot(request(Method::GET, ""))
            .await
            .expect("ok")
            .status(),
        502
    );
    assert_eq!(log.bodies().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn bodies_over_the_limit_are_sent_once_intact() {
    use Answer::*;
    let layer = RetryLayer::new(3).max_request_body_bytes(Some(4));
    let log = Log::default();
    let svc = service(&layer, vec![Unreachable, Ok], log.clone());
    let response = svc
        .oneshot(request(Method::PUT, "hello world"))
        .await
        .expect("ok");
    assert_eq!(response.status(), 502);
    assert_eq!(log.bodies(), vec!["hello world"]);
    // Within the limit (or unlimited) it is replayed.
    let log = Log::default();
    let layer = RetryLayer::new(3).max_request_body_bytes(None);
    let svc = service(&layer, vec![Unreachable, Ok], log.clone());
    let response = svc
        .oneshot(request(Method::PUT, "hello world"))
        .await
        .expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(log.bodies(), vec!["hello world"; 2]);
}

#[tokio::test(start_paused = true)]
async fn one_attempt_and_upgrades_pass_through() {
    use Answer::*;
    let log = Log::default();
    let svc = service(&RetryLayer::new(1), vec![Unreachable, Ok], log.clone());
    assert_eq!(
        svc.oneshot(request(Method::GET, ""))
            .await
            .expect("ok")
            .status(),
        502
    );
    let log = Log::default();
    let svc = service(&RetryLayer::new(3), vec![Unreachable, Ok], log.clone());
    let mut upgrade = request(Method::GET, "");
    upgrade
        .headers_mut()
        .insert("upgrade", "websocket".parse().expect("value"));
    assert_eq!(svc.oneshot(upgrade).await.expect("ok").status(), 502);
    assert_eq!(log.bodies().len(), 1);
}
