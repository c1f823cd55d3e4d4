//! `buffering`: 413 over the request limit, 500 over the response limit.

use http::Method;
use portico_test_support::upstream;

use super::{get, routing, send, start};

#[tokio::test]
async fn request_over_the_limit_is_413_and_the_rest_goes_through() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["buf"],
            "buf:\n  buffering:\n    maxRequestBodyBytes: 1000\n    memRequestBodyBytes: 100\n",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    static BIG: [u8; 2000] = [b'a'; 2000];
    static FITS: [u8; 900] = [b'b'; 900];
    let rejected = send(addr, Method::POST, "/echo", &[], &BIG).await;
    assert_eq!(rejected.status, 413);
    assert_eq!(rejected.text(), "Request Entity Too Large");
    // 900 bytes fit; 800 of them spill to a temporary file and come back intact.
    let echoed = send(addr, Method::POST, "/echo", &[], &FITS).await;
    assert_eq!(echoed.status, 200);
    assert_eq!(&echoed.body[..], &FITS[..]);
}

#[tokio::test]
async fn response_over_the_limit_is_500() {
    let backend = upstream::whoami("b").await;
    let proxy = start(
        None,
        &routing(
            &backend.url(),
            &["buf"],
            "buf:\n  buffering:\n    maxResponseBodyBytes: 4096\n",
            "",
        ),
    )
    .await;
    let addr = proxy.addr("web");
    let big = get(addr, "/data?size=5&unit=KB", &[]).await;
    assert_eq!(big.status, 500);
    let fits = get(addr, "/data?size=4&unit=KB", &[]).await;
    assert_eq!(fits.status, 200);
    assert_eq!(fits.header("content-length"), Some("4096"));
}
