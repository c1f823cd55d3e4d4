//! The `highestRandomWeight` service: stability per client, spread by weight.

mod common;

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

use http::StatusCode;
use portico_service::{HighestRandomWeight, ServiceHealth, WeightedChild};
use tower::ServiceExt;

use common::{backend, child, request_from, text};

fn up(name: &'static str, weight: u32) -> WeightedChild {
    WeightedChild::new(name, weight, child(name).0, ServiceHealth::always_up())
}

/// `n` distinct client addresses, v4 and v6, in canonical form.
fn clients(n: u32) -> Vec<String> {
    (0..n)
        .map(|i| {
            let ip: IpAddr = if i % 4 == 3 {
                Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, (i >> 16) as u16, i as u16).into()
            } else {
                Ipv4Addr::from(0x0a00_0000 | i).into()
            };
            ip.to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_client_always_reaches_the_same_child() {
    let hrw = HighestRandomWeight::new(vec![up("a", 1), up("b", 1), up("c", 1)]);
    for ip in clients(20) {
        let expected = hrw.pick(ip.parse().unwrap()).unwrap().to_owned();
        for _ in 0..10 {
            let response = hrw.clone().oneshot(request_from(&ip)).await.unwrap();
            assert_eq!(text(response).await, expected, "client {ip}");
        }
    }
}

#[test]
fn clients_spread_in_proportion_to_the_weights() {
    let hrw = HighestRandomWeight::new(vec![up("a", 1), up("b", 2), up("c", 3), up("zero", 0)]);
    let n = 12_000;
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for ip in clients(n) {
        *counts
            .entry(hrw.pick(ip.parse().unwrap()).unwrap())
            .or_default() += 1;
    }
    assert_eq!(counts.get("zero"), None);
    // Expected shares 1/6, 2/6, 3/6; the binomial standard deviation is at most
    // 0.5 / sqrt(12000) ≈ 0.0046, so ±0.025 is over five deviations.
    for (name, expected) in [("a", 1.0 / 6.0), ("b", 2.0 / 6.0), ("c", 3.0 / 6.0)] {
        let share = f64::from(counts.get(name).copied().unwrap_or(0)) / f64::from(n);
        assert!(
            (share - expected).abs() < 0.025,
            "{name}: share {share:.4}, expected {expected:.4} ({counts:?})"
        );
    }
}

#[test]
fn only_the_clients_of_an_unhealthy_child_move() {
    let (b_flag, b_health) = ServiceHealth::flag(true);
    let hrw = HighestRandomWeight::new(vec![
        up("a", 1),
        WeightedChild::new("b", 1, child("b").0, b_health),
        up("c", 1),
    ])
    .health_check(true);
    let all = clients(3000);
    let before: Vec<String> = all
        .iter()
        .map(|ip| hrw.pick(ip.parse().unwrap()).unwrap().to_owned())
        .collect();
    assert!(before.iter().any(|n| n == "b"));

    b_flag.set(false);
    let mut moved_from_b = 0;
    for (ip, was) in all.iter().zip(&before) {
        let now = hrw.pick(ip.parse().unwrap()).unwrap();
        if was == "b" {
            assert_ne!(now, "b");
            moved_from_b += 1;
        } else {
            assert_eq!(now, was, "client {ip} of a healthy child moved");
        }
    }
    assert!(moved_from_b > 500, "{moved_from_b}");

    b_flag.set(true);
    let after: Vec<String> = all
        .iter()
        .map(|ip| hrw.pick(ip.parse().unwrap()).unwrap().to_owned())
        .collect();
    assert_eq!(after, before, "clients come back to b");
}

#[tokio::test]
async fn health_is_propagated_only_with_health_check() {
    let (a_flag, a_health) = ServiceHealth::flag(true);
    let children = || vec![WeightedChild::new("a", 1, child("a").0, a_health.clone())];
    let checked = HighestRandomWeight::new(children()).health_check(true);
    let unchecked = HighestRandomWeight::new(children());
    a_flag.set(false);
    assert!(!checked.health().is_up());
    assert!(unchecked.health().is_up());
    let response = checked.oneshot(request_from("192.0.2.1")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let response = unchecked.oneshot(request_from("192.0.2.1")).await.unwrap();
    assert_eq!(
        text(response).await,
        "a",
        "without health_check the child is still used"
    );
}

#[tokio::test]
async fn a_request_without_connection_info_is_still_served() {
    let hrw = HighestRandomWeight::new(vec![up("a", 1), up("b", 1)]);
    let response = hrw
        .oneshot(portico_core::HttpRequest::new(portico_core::Body::empty()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn real_backends_are_chosen_per_client() {
    let mut one = backend("one", StatusCode::OK).await;
    let mut two = backend("two", StatusCode::OK).await;
    let hrw = HighestRandomWeight::new(vec![
        WeightedChild::new("one", 1, one.service(), ServiceHealth::always_up()),
        WeightedChild::new("two", 1, two.service(), ServiceHealth::always_up()),
    ]);
    let ips = clients(200);
    let on = |name: &str| {
        ips.iter()
            .find(|ip| hrw.pick(ip.parse().unwrap()) == Some(name))
            .unwrap()
            .clone()
    };
    let (ip_one, ip_two) = (on("one"), on("two"));

    let response = hrw.clone().oneshot(request_from(&ip_one)).await.unwrap();
    assert_eq!(text(response).await, "one");
    let seen = one.next().await;
    let xff = seen.headers["x-forwarded-for"].to_str().unwrap();
    assert_eq!(xff, ip_one);

    let response = hrw.oneshot(request_from(&ip_two)).await.unwrap();
    assert_eq!(text(response).await, "two");
    assert_eq!(
        two.next().await.headers["x-forwarded-for"]
            .to_str()
            .unwrap(),
        ip_two
    );
}
