//! Sticky sessions (`sticky.cookie`): the cookie written, the pin it makes, and
//! what happens to the pin when its server goes down or the configuration reloads.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Mutex,
};

use portico_test_support::{client::Reply, faulty, faulty::FaultyBackend};

use super::{backend, eventually, get, health_check, lb, routing, routing_with, start};

/// The `name=value` pair and the attributes of the `Set-Cookie` named `name`.
fn set_cookie<'r>(reply: &'r Reply, name: &str) -> Option<(&'r str, BTreeSet<&'r str>)> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let mut parts = v.split(';').map(str::trim);
            let pair = parts.next().unwrap_or_default();
            (pair, parts.collect())
        })
}

/// A `Cookie` header value pinning to what `reply` set for `name`.
fn pin(reply: &Reply, name: &str) -> String {
    set_cookie(reply, name)
        .unwrap_or_else(|| panic!("no {name} cookie set: {:?}", reply.headers))
        .0
        .to_owned()
}

async fn three() -> [FaultyBackend; 3] {
    [
        faulty::start("s0").await,
        faulty::start("s1").await,
        faulty::start("s2").await,
    ]
}

fn urls(backends: &[FaultyBackend]) -> Vec<String> {
    backends.iter().map(FaultyBackend::url).collect()
}

fn sticky_lb(backends: &[FaultyBackend], extra: &str) -> String {
    let urls = urls(backends);
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    lb(
        &urls,
        &format!("sticky:\n  cookie:\n    name: srv\n{extra}"),
    )
}

#[tokio::test]
async fn cookie_carries_every_configured_attribute() {
    let backends = three().await;
    let attributes = "    secure: true\n    httpOnly: true\n    sameSite: strict\n    maxAge: 60\n    path: /app\n    domain: example.com\n";
    let proxy = start(&routing(
        "app",
        &[("app", sticky_lb(&backends, attributes))],
    ))
    .await;
    let reply = get(proxy.addr("web"), "/", &[]).await;
    assert_eq!(reply.status, 200);
    let (pair, attributes) = set_cookie(&reply, "srv").expect("a srv cookie");
    let value = pair.strip_prefix("srv=").unwrap();
    assert_eq!(value.len(), 16, "{value}");
    assert!(value.chars().all(|c| c.is_ascii_hexdigit()), "{value}");
    assert!(!value.contains("127.0.0.1"), "the cookie hides the address");
    let expected: BTreeSet<&str> = [
        "Path=/app",
        "Domain=example.com",
        "Max-Age=60",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
    ]
    .into();
    assert_eq!(attributes, expected);
}

#[tokio::test]
async fn cookie_pins_later_requests_to_its_server() {
    let backends = three().await;
    let proxy = start(&routing("app", &[("app", sticky_lb(&backends, ""))])).await;
    let addr = proxy.addr("web");
    let mut cookies = BTreeMap::new();
    for _ in 0..3 {
        let reply = get(addr, "/", &[]).await;
        cookies.insert(backend(&reply).unwrap().to_owned(), pin(&reply, "srv"));
    }
    assert_eq!(cookies.len(), 3, "round robin for clients without cookie");
    let values: BTreeSet<&String> = cookies.values().collect();
    assert_eq!(values.len(), 3, "one cookie value per server");

    for (server, cookie) in &cookies {
        for _ in 0..5 {
            let reply = get(addr, "/", &[("cookie", &format!("other=1; {cookie}"))]).await;
            assert_eq!(backend(&reply), Some(server.as_str()));
            assert!(
                set_cookie(&reply, "srv").is_none(),
                "a valid pin is not rewritten"
            );
        }
    }
    // An unknown value is replaced by a fresh pin.
    let reply = get(addr, "/", &[("cookie", "srv=0000000000000000")]).await;
    assert_eq!(reply.status, 200);
    assert!(cookies.values().any(|c| *c == pin(&reply, "srv")));
}

#[tokio::test]
async fn default_cookie_name_follows_traefik() {
    let backends = three().await;
    let urls = urls(&backends);
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let proxy = start(&routing(
        "app",
        &[("app", lb(&urls, "sticky:\n  cookie: {}\n"))],
    ))
    .await;
    let reply = get(proxy.addr("web"), "/", &[]).await;
    // `_` + the first 5 hex digits of sha1("_TRAEFIK_BACKEND_app@file")
    // (fb0b0070d1b8...), computed with sha1sum.
    let (pair, attributes) = set_cookie(&reply, "_fb0b0").expect("cookie _fb0b0");
    assert!(pair.len() > "_fb0b0=".len());
    assert_eq!(attributes, BTreeSet::from(["Path=/"]));
}

#[tokio::test]
async fn pinned_server_down_repins_to_a_healthy_one() {
    let backends = three().await;
    let urls = urls(&backends);
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let extra = format!("sticky:\n  cookie:\n    name: srv\n{}", health_check(""));
    let proxy = start(&routing("app", &[("app", lb(&urls, &extra))])).await;
    let addr = proxy.addr("web");
    let first = get(addr, "/", &[]).await;
    let pinned = backend(&first).unwrap().to_owned();
    let cookie = pin(&first, "srv");
    let dead = backends.iter().find(|b| b.name() == pinned).unwrap();
    dead.down().await;

    let repinned = Mutex::new(None);
    eventually("a new pin", || async {
        let reply = get(addr, "/", &[("cookie", &cookie)]).await;
        if reply.status != 200 {
            return false;
        }
        *repinned.lock().unwrap() = Some((backend(&reply).unwrap().to_owned(), pin(&reply, "srv")));
        true
    })
    .await;
    let (server, new_cookie) = repinned.into_inner().unwrap().unwrap();
    assert_ne!(server, pinned);
    assert_ne!(new_cookie, cookie);
    for _ in 0..5 {
        let reply = get(addr, "/", &[("cookie", &new_cookie)]).await;
        assert_eq!(backend(&reply), Some(server.as_str()));
    }
}

#[tokio::test]
async fn pins_survive_configuration_reloads() {
    let backends = three().await;
    let extra = faulty::start("extra").await;
    let proxy = start(&routing("app", &[("app", sticky_lb(&backends, ""))])).await;
    let addr = proxy.addr("web");
    let mut pins = Vec::new();
    for _ in 0..3 {
        let reply = get(addr, "/", &[]).await;
        pins.push((backend(&reply).unwrap().to_owned(), pin(&reply, "srv")));
    }
    let check = |pins: Vec<(String, String)>| async move {
        for (server, cookie) in pins {
            for _ in 0..3 {
                let reply = get(addr, "/", &[("cookie", &cookie)]).await;
                assert_eq!(backend(&reply), Some(server.as_str()), "pin {cookie}");
            }
        }
    };

    // Another router changes: the service is untouched.
    proxy.write_routing(
        "routing.yaml",
        &routing_with(
            &[
                ("r", "PathPrefix(`/`)", "app"),
                ("other", "PathPrefix(`/other`)", "app"),
            ],
            &[("app", sticky_lb(&backends, ""))],
        ),
    );
    assert!(proxy.reload_routing().await.routers["other@file"].enabled);
    check(pins.clone()).await;

    // The service itself changes (a server added): pins still hold.
    let mut with_extra = urls(&backends);
    with_extra.push(extra.url());
    let with_extra: Vec<&str> = with_extra.iter().map(String::as_str).collect();
    proxy.write_routing(
        "routing.yaml",
        &routing(
            "app",
            &[(
                "app",
                lb(&with_extra, "sticky:\n  cookie:\n    name: srv\n"),
            )],
        ),
    );
    proxy.reload_routing().await;
    eventually("the added server serves", || async {
        backend(&get(addr, "/", &[]).await) == Some("extra")
    })
    .await;
    check(pins).await;
}

#[tokio::test]
async fn first_pick_is_balanced_across_fresh_clients() {
    let backends = three().await;
    let proxy = start(&routing("app", &[("app", sticky_lb(&backends, ""))])).await;
    let addr = proxy.addr("web");
    let mut per_server: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..30 {
        let reply = get(addr, "/", &[]).await;
        assert!(set_cookie(&reply, "srv").is_some());
        *per_server
            .entry(backend(&reply).unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(per_server.len(), 3, "{per_server:?}");
    assert!(per_server.values().all(|n| *n >= 5), "{per_server:?}");
}

#[tokio::test]
async fn weighted_sticky_over_two_load_balancers() {
    let backends = [
        faulty::start("a1").await,
        faulty::start("a2").await,
        faulty::start("b1").await,
        faulty::start("b2").await,
    ];
    let child = |pair: &[FaultyBackend], cookie: &str| {
        let urls = urls(pair);
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        lb(&urls, &format!("sticky:\n  cookie:\n    name: {cookie}\n"))
    };
    let weighted = "weighted:\n  services:\n    - name: lb-a\n      weight: 1\n    - name: lb-b\n      weight: 1\n  sticky:\n    cookie:\n      name: wrr\n      httpOnly: true\n";
    let proxy = start(&routing(
        "app",
        &[
            ("app", weighted.to_owned()),
            ("lb-a", child(&backends[..2], "lb_a")),
            ("lb-b", child(&backends[2..], "lb_b")),
        ],
    ))
    .await;
    let addr = proxy.addr("web");
    let mut children = BTreeSet::new();
    for _ in 0..4 {
        let first = get(addr, "/", &[]).await;
        let server = backend(&first).unwrap().to_owned();
        let group = &server[..1];
        children.insert(group.to_owned());
        let (wrr, attributes) = set_cookie(&first, "wrr").expect("the weighted cookie");
        assert!(attributes.contains("HttpOnly"));
        let child_cookie = pin(&first, &format!("lb_{group}"));
        let both = format!("{wrr}; {child_cookie}");
        for _ in 0..5 {
            let reply = get(addr, "/", &[("cookie", &both)]).await;
            assert_eq!(backend(&reply), Some(server.as_str()), "{both}");
        }
        // The weighted cookie alone keeps the child, not the server.
        for _ in 0..4 {
            let reply = get(addr, "/", &[("cookie", wrr)]).await;
            assert!(backend(&reply).unwrap().starts_with(group), "{wrr}");
        }
    }
    assert_eq!(children.len(), 2, "both children get fresh clients");
}
