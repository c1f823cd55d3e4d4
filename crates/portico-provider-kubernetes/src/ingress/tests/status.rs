//! What is published into Ingress statuses.

use k8s_openapi::api::networking::v1::{Ingress, IngressLoadBalancerIngress, IngressPortStatus};
use portico_config::model::IngressEndpointSpec;
use serde_json::json;

use super::*;
use crate::ingress::status::{load_balancer_status, needs_update};

fn endpoint(ip: &str, hostname: &str, published: &str) -> IngressEndpointSpec {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    IngressEndpointSpec {
        ip: some(ip),
        hostname: some(hostname),
        published_service: some(published),
    }
}

fn point(ip: &str) -> IngressLoadBalancerIngress {
    IngressLoadBalancerIngress {
        ip: Some(ip.to_owned()),
        ..IngressLoadBalancerIngress::default()
    }
}

fn published_cluster() -> Cluster {
    cluster([
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "traefik", "namespace": "ingress"},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]},
            "status": {"loadBalancer": {"ingress": [
                {"ip": "203.0.113.7", "ports": [{"port": 443, "protocol": "TCP"}]},
                {"hostname": "lb.example.com"}]}}}),
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "pending", "namespace": "ingress"},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]}}),
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "external", "namespace": "ingress"},
            "spec": {"externalIPs": ["198.51.100.1"], "ports": [{"port": 443}]}}),
    ])
}

#[test]
fn ip_and_hostname_are_published_as_given() {
    let c = Cluster::default();
    let both = load_balancer_status(&endpoint("192.0.2.1", "edge.test", ""), &c).unwrap();
    assert_eq!(
        both,
        [IngressLoadBalancerIngress {
            ip: Some("192.0.2.1".into()),
            hostname: Some("edge.test".into()),
            ports: None,
        }]
    );
    assert_eq!(load_balancer_status(&endpoint("", "", ""), &c), None);
}

#[test]
fn published_service_status_is_copied() {
    let c = published_cluster();
    let copied = load_balancer_status(&endpoint("192.0.2.1", "", "ingress/traefik"), &c).unwrap();
    assert_eq!(copied.len(), 2, "publishedService wins over ip");
    assert_eq!(copied[0].ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(
        copied[0].ports,
        Some(vec![IngressPortStatus {
            port: 443,
            protocol: "TCP".into(),
            error: None,
        }])
    );
    assert_eq!(copied[1].hostname.as_deref(), Some("lb.example.com"));
    let external = load_balancer_status(&endpoint("", "", "ingress/external"), &c);
    assert_eq!(external, Some(vec![point("198.51.100.1")]));
}

#[test]
fn nothing_is_published_without_a_usable_service() {
    let c = published_cluster();
    for published in [
        "ingress/pending",
        "ingress/absent",
        "traefik",
        "a/b/c",
        "/traefik",
    ] {
        assert_eq!(
            load_balancer_status(&endpoint("", "", published), &c),
            None,
            "{published}"
        );
    }
}

#[test]
fn only_differing_statuses_need_an_update() {
    let with_status = |status: Value| -> Ingress {
        serde_json::from_value(json!({"metadata": {"name": "a", "namespace": "testing"},
            "status": status}))
        .unwrap()
    };
    let wanted = [point("192.0.2.1")];
    let same = with_status(json!({"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}));
    assert!(!needs_update(&same, &wanted));
    let other = with_status(json!({"loadBalancer": {"ingress": [{"ip": "192.0.2.2"}]}}));
    assert!(needs_update(&other, &wanted));
    let none = with_status(json!({}));
    assert!(needs_update(&none, &wanted));
    assert!(!needs_update(&none, &[]));
}
