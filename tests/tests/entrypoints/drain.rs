//! Shutdown: in-flight requests finish, idle connections close, new ones are
//! refused.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::routing::any;
use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use portico_e2e::{
    EXCHANGE_LIMIT, catch_all,
    wire::{self, Conn},
    within,
};
use portico_test_support::{client, upstream};
use tokio::sync::Notify;

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish_then_refuses_connections() {
    let arrived = Arc::new(Notify::new());
    let signal = arrived.clone();
    let app = axum::Router::new().route(
        "/slow",
        any(move || {
            let signal = signal.clone();
            async move {
                signal.notify_one();
                tokio::time::sleep(Duration::from_millis(1500)).await;
                "done"
            }
        }),
    );
    let backend = upstream::axum(app).await;
    let proxy = catch_all(None, &backend.url()).await;
    let addr = proxy.addr("web");
    let in_flight = tokio::spawn(async move {
        let request = Request::get("/slow")
            .header("host", "example.com")
            .body(Full::new(Bytes::new()))
            .expect("request");
        client::send(addr, request).await
    });
    within(
        EXCHANGE_LIMIT,
        "slow request reaching the backend",
        arrived.notified(),
    )
    .await;
    let start = Instant::now();
    within(Duration::from_secs(8), "shutdown", proxy.shutdown()).await;
    let drained_in = start.elapsed();
    let reply = within(EXCHANGE_LIMIT, "in-flight request", in_flight)
        .await
        .expect("client task");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "done");
    assert!(
        drained_in >= Duration::from_millis(1000),
        "shutdown returned before the request finished ({drained_in:?})"
    );
    let refused = within(
        Duration::from_secs(2),
        "connect after shutdown",
        tokio::net::TcpStream::connect(addr),
    )
    .await;
    assert!(
        refused.is_err(),
        "a new connection was accepted after shutdown returned"
    );
}

#[tokio::test]
async fn shutdown_closes_idle_keep_alive_connections_at_once() {
    // graceTimeOut is 10s by default: an idle connection must not hold the drain.
    let backend = upstream::whoami("backend").await;
    let proxy = catch_all(None, &backend.url()).await;
    let mut conn = Conn::open(proxy.addr("web")).await.expect("connect");
    conn.send(&wire::request("GET", "/", Some("example.com"), &[]))
        .await
        .expect("send");
    let response = within(EXCHANGE_LIMIT, "response", conn.response())
        .await
        .expect("response");
    assert_eq!(response.status, 200);
    let start = Instant::now();
    within(
        Duration::from_secs(5),
        "shutdown with an idle connection",
        proxy.shutdown(),
    )
    .await;
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "drain waited {:?} for an idle connection",
        start.elapsed()
    );
    assert!(
        conn.closes_within(Duration::from_secs(2)).await,
        "the idle connection was left open"
    );
}
