//! `inFlightReq`: slow requests hold their place until their response is sent.

use std::time::Duration;

use portico_test_support::upstream;

use super::{get, routing, start};

#[tokio::test]
async fn second_concurrent_request_gets_429() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["one"],
            "one:\n  inFlightReq:\n    amount: 1\n",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let slow = tokio::spawn(async move { get(addr, "/?wait=600ms", &[]).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rejected = get(addr, "/", &[]).await;
    assert_eq!(rejected.status, 429);
    assert_eq!(rejected.text(), "max connections reached: 1");
    assert_eq!(slow.await.expect("join").status, 200);
    // The place is free again.
    assert_eq!(get(addr, "/", &[]).await.status, 200);
}

#[tokio::test]
async fn default_source_is_the_host() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["one"],
            "one:\n  inFlightReq:\n    amount: 1\n",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let slow = tokio::spawn(async move { get(addr, "/?wait=600ms", &[]).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Same client, another host: another source.
    let other = super::send(
        addr,
        http::Method::GET,
        "/",
        &[("host", "other.example")],
        b"",
    )
    .await;
    assert_eq!(other.status, 200);
    assert_eq!(slow.await.expect("join").status, 200);
}
