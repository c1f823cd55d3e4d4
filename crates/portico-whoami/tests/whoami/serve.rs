//! `bind` address forms, h2c, and graceful shutdown.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

use crate::support::{Server, get, send};

#[tokio::test]
async fn bind_accepts_traefik_address_forms() {
    let any = portico_whoami::bind(":0").await.expect("bind :0");
    let addr = any.local_addr().expect("addr");
    assert!(addr.ip().is_unspecified(), "{addr}");
    // The all-interfaces socket answers on IPv4 loopback.
    let server = Server::start_on(any, None);
    let answer = get(&format!("http://127.0.0.1:{}/bench", addr.port())).await;
    assert_eq!(answer.text(), "1");
    server.stop().await.expect("stop");

    let v4 = portico_whoami::bind("127.0.0.1:0").await.expect("bind v4");
    assert!(v4.local_addr().expect("addr").ip().is_loopback());

    // IPv6 loopback may be missing in some sandboxes; only check it where it exists.
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let v6 = portico_whoami::bind("[::1]:0").await.expect("bind v6");
        assert!(v6.local_addr().expect("addr").is_ipv6());
    }
}

#[tokio::test]
async fn bind_errors_name_the_address() {
    for bad in ["nonsense", ":port", "127.0.0.1:99999", ""] {
        let error = portico_whoami::bind(bad).await.expect_err(bad);
        assert!(
            error.to_string().contains(&format!("{bad:?}")),
            "{bad}: {error}"
        );
    }
}

#[tokio::test]
async fn serves_h2c_with_prior_knowledge() {
    let server = Server::start(Some("h2")).await;
    let request = hyper::Request::get(server.url("/h2?x=1"))
        .body(Full::<Bytes>::default())
        .expect("request");
    let answer = send(request, true).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-whoami-name"), Some("h2"));
    let text = answer.text();
    assert!(text.contains("GET /h2?x=1 HTTP/2.0\r\n"), "{text}");
    assert!(
        text.contains(&format!("Host: {}\r\n", server.addr)),
        "{text}"
    );
}

#[tokio::test]
async fn shutdown_finishes_in_flight_requests_then_stops() {
    let server = Server::start(None).await;
    let url = server.url("/?wait=300ms");
    let in_flight = tokio::spawn(async move { get(&url).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let addr = server.addr;
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .expect("stops in time")
        .expect("clean stop");
    assert_eq!(in_flight.await.expect("request task").status, 200);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
