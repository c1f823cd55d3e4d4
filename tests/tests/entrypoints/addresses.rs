//! Listen addresses: `:port`, `[::1]:port`, the `/tcp` suffix.

use std::net::{SocketAddr, TcpListener};

use portico_e2e::{EXCHANGE_LIMIT, catch_all, within};
use portico_test_support::{client, upstream};

fn ipv6_loopback_available() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

async fn served_at(addr: SocketAddr) {
    let reply = within(
        EXCHANGE_LIMIT,
        "request",
        client::get(addr, "example.com", "/"),
    )
    .await;
    assert_eq!(reply.status, 200, "{addr}");
    assert_eq!(reply.header("x-whoami-name"), Some("backend"), "{addr}");
}

#[tokio::test]
async fn all_interfaces_address_serves_ipv4_and_ipv6_loopback() {
    let backend = upstream::whoami("backend").await;
    let install = "entryPoints:\n  all:\n    address: \":0\"\n";
    let proxy = catch_all(Some(install), &backend.url()).await;
    let port = proxy.addr("all").port();
    served_at(SocketAddr::from(([127, 0, 0, 1], port))).await;
    if ipv6_loopback_available() {
        served_at(SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port))).await;
    } else {
        println!("SKIPPED the IPv6 half: ::1 cannot be bound on this machine");
    }
}

#[tokio::test]
async fn ipv6_loopback_address_serves() {
    if !ipv6_loopback_available() {
        println!("SKIPPED: ::1 cannot be bound on this machine");
        return;
    }
    let backend = upstream::whoami("backend").await;
    let install = "entryPoints:\n  v6:\n    address: \"[::1]:0\"\n";
    let proxy = catch_all(Some(install), &backend.url()).await;
    let addr = proxy.addr("v6");
    assert!(addr.is_ipv6() && addr.ip().is_loopback(), "{addr}");
    served_at(addr).await;
}

#[tokio::test]
async fn tcp_suffix_in_address_is_accepted() {
    let backend = upstream::whoami("backend").await;
    let install = "entryPoints:\n  web:\n    address: \"127.0.0.1:0/tcp\"\n";
    let proxy = catch_all(Some(install), &backend.url()).await;
    let addr = proxy.addr("web");
    assert_eq!(addr.ip(), std::net::Ipv4Addr::LOCALHOST);
    served_at(addr).await;
}
