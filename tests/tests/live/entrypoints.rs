//! Entrypoints added, removed, moved and retuned by an install reload.

use std::time::Duration;

use portico_test_support::{client, proxy, upstream};

use crate::support::Load;

const ROUTING: &str = "http:\n  routers:\n    r: {rule: PathPrefix(`/`), service: s}\n  services:\n    s:\n      loadBalancer:\n        servers: [{url: \"URL\"}]\n";

fn routing(url: &str) -> String {
    ROUTING.replace("URL", url)
}

fn install(entrypoints: &[(&str, &str)]) -> String {
    let mut out = String::from("entryPoints:\n");
    for (name, extra) in entrypoints {
        out.push_str(&format!("  {name}:\n    address: \"127.0.0.1:0\"\n{extra}"));
    }
    out
}

#[tokio::test]
async fn an_added_entrypoint_serves_at_once() {
    let backend = upstream::whoami("w").await;
    let proxy = proxy::builder()
        .install(&install(&[("web", "")]))
        .routing("r.yaml", &routing(&backend.url()))
        .start()
        .await;
    let report = proxy
        .reload_install(&install(&[("web", ""), ("admin", "")]))
        .await;
    assert_eq!(report.started, ["admin"], "{report:?}");
    let admin = proxy.addr("admin");
    let reply = client::get(admin, "x", "/").await;
    assert_eq!(
        reply.status, 200,
        "routers without entryPoints attach to the new one too"
    );
    assert_eq!(reply.header("x-whoami-name"), Some("w"));
}

#[tokio::test]
async fn a_removed_entrypoint_closes_while_its_slow_request_completes() {
    let backend = upstream::whoami("w").await;
    let proxy = proxy::builder()
        .install(&install(&[("web", ""), ("old", "")]))
        .routing("r.yaml", &routing(&backend.url()))
        .start()
        .await;
    let old = proxy.addr("old");
    let slow = tokio::spawn(async move { client::get(old, "x", "/?wait=1200ms").await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let report = proxy.reload_install(&install(&[("web", "")])).await;
    assert_eq!(report.stopped, ["old"], "{report:?}");
    assert!(!proxy.addresses().contains_key("old"));
    // The port stops accepting...
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        while tokio::net::TcpStream::connect(old).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "the removed entrypoint still accepts");
    // ...while the request in flight finishes normally.
    let reply = slow.await.unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(client::get(proxy.addr("web"), "x", "/").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_an_entrypoint_loses_no_request() {
    let backend = upstream::whoami("w").await;
    let proxy = proxy::builder()
        .install(&install(&[("web", "")]))
        .routing("r.yaml", &routing(&backend.url()))
        .start()
        .await;
    let before = proxy.addr("web");
    let load = Load::start(before, 4, true);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // `127.0.0.1:0` again is a new address: a new port is bound first.
    let moved = install(&[("web", "")]).replace("127.0.0.1:0", "127.0.0.2:0");
    let report = proxy.reload_install(&moved).await;
    assert_eq!(report.rebound, ["web"], "{report:?}");
    let after = proxy.addr("web");
    assert_ne!(before, after);
    assert_eq!(client::get(after, "x", "/").await.status, 200);
    // The keep-alive clients on the old port were drained: every request they sent
    // was answered (a client sees its connection closed only between requests).
    let (served, errors) = load.finish().await;
    let real_failures: Vec<_> = errors
        .iter()
        .filter(|e| {
            !e.contains("connection closed before message completed")
                && !e.contains("channel closed")
        })
        .collect();
    assert!(real_failures.is_empty(), "{real_failures:?}");
    assert!(served > 10);
}

#[tokio::test]
async fn changed_settings_apply_to_new_connections_on_the_same_port() {
    let backend = upstream::whoami("w").await;
    let proxy = proxy::builder()
        .install(&install(&[("web", "")]))
        .routing("r.yaml", &routing(&backend.url()))
        .start()
        .await;
    let addr = proxy.addr("web");
    let short_idle = install(&[(
        "web",
        "    transport:\n      respondingTimeouts:\n        idleTimeout: 300ms\n",
    )]);
    let report = proxy.reload_install(&short_idle).await;
    assert_eq!(report.updated, ["web"], "{report:?}");
    assert_eq!(proxy.addr("web"), addr, "same socket, same port");
    // A new keep-alive connection now closes after 300 ms idle.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 65536];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let start = std::time::Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "idle connection kept open");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "closed after {:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_failed_bind_keeps_the_entrypoint_where_it_was() {
    let backend = upstream::whoami("w").await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap();
    let proxy = proxy::builder()
        .install(&install(&[("web", "")]))
        .routing("r.yaml", &routing(&backend.url()))
        .start()
        .await;
    let addr = proxy.addr("web");
    let conflict = install(&[("web", "")]).replace("127.0.0.1:0", &taken_addr.to_string());
    let report = proxy.reload_install(&conflict).await;
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(
        report.failed[0].contains("entryPoints.web.address"),
        "{report:?}"
    );
    assert_eq!(proxy.addr("web"), addr);
    assert_eq!(client::get(addr, "x", "/").await.status, 200);
}

#[tokio::test]
async fn a_websocket_on_a_removed_entrypoint_lives_through_the_grace_period_then_closes() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let backend = upstream::whoami("w").await;
    let grace = "    transport:\n      lifeCycle:\n        graceTimeOut: 800ms\n";
    let proxy = proxy::builder()
        .install(&install(&[("web", ""), ("old", grace)]))
        .routing("r.yaml", &routing(&backend.url()))
        .start()
        .await;
    let stream = tokio::net::TcpStream::connect(proxy.addr("old"))
        .await
        .unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async("ws://x/echo", stream)
        .await
        .unwrap();
    ws.send(Message::text("before")).await.unwrap();
    assert_eq!(ws.next().await.unwrap().unwrap(), Message::text("before"));
    let removed_at = std::time::Instant::now();
    let report = proxy.reload_install(&install(&[("web", "")])).await;
    assert_eq!(report.stopped, ["old"]);
    // Within the grace period the WebSocket still works...
    ws.send(Message::text("during")).await.unwrap();
    assert_eq!(ws.next().await.unwrap().unwrap(), Message::text("during"));
    // ...and when it is over, the proxy closes it.
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) => return,
                Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the WebSocket outlived the grace period");
    let lived = removed_at.elapsed();
    assert!(
        lived >= Duration::from_millis(700),
        "closed too early: {lived:?}"
    );
}

#[tokio::test]
async fn settings_that_need_a_restart_are_named() {
    let backend = upstream::whoami("w").await;
    let proxy = proxy::builder()
        .install(&install(&[("web", "")]))
        .routing("r.yaml", &routing(&backend.url()))
        .start()
        .await;
    let changed = format!(
        "{}log:\n  level: DEBUG\nserversTransport:\n  maxIdleConnsPerHost: 7\n",
        install(&[("web", "")])
    );
    let report = proxy.reload_install(&changed).await;
    assert!(report.started.is_empty() && report.stopped.is_empty() && report.updated.is_empty());
    let named = report.not_applied.join("\n");
    assert!(
        named.contains("log") && named.contains("serversTransport"),
        "{named}"
    );
}

#[tokio::test]
async fn provider_settings_apply_live() {
    let (a, b) = (upstream::whoami("a").await, upstream::whoami("b").await);
    let proxy = proxy::builder()
        .install(&install(&[("web", "")]))
        .routing("r.yaml", &routing(&a.url()))
        .start()
        .await;
    // Point the file provider at another file: its routing is loaded at once.
    let other = tempfile::tempdir().unwrap();
    let file = other.path().join("other.yaml");
    std::fs::write(&file, routing(&b.url())).unwrap();
    let moved = format!(
        "{}providers:\n  file:\n    filename: {}\n",
        install(&[("web", "")]),
        file.display()
    );
    let report = proxy.reload_install(&moved).await;
    assert!(report.failed.is_empty(), "{report:?}");
    let reply = client::get(proxy.addr("web"), "x", "/").await;
    assert_eq!(reply.header("x-whoami-name"), Some("b"));
}
