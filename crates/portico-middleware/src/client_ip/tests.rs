use std::net::IpAddr;

use http::Request;
use portico_core::ConnectionInfo;

use super::*;

fn request(peer: &str, xff: &[&str]) -> Request<()> {
    let mut builder = Request::builder();
    for line in xff {
        builder = builder.header("x-forwarded-for", *line);
    }
    let mut request = builder.body(()).expect("request");
    request.extensions_mut().insert(ConnectionInfo::new(
        peer.parse().expect("peer"),
        "127.0.0.1:80".parse().expect("local"),
        "web".into(),
        false,
    ));
    request
}

fn ip(text: &str) -> Option<IpAddr> {
    Some(text.parse().expect("ip"))
}

#[test]
fn peer_is_the_connection_address_and_ignores_xff() {
    let r = request("192.0.2.1:4000", &["1.1.1.1"]);
    assert_eq!(IpStrategy::peer().client_ip(&r), ip("192.0.2.1"));
    assert_eq!(IpStrategy::depth(0).client_ip(&r), ip("192.0.2.1"));
    assert_eq!(IpStrategy::excluding(vec![]).client_ip(&r), ip("192.0.2.1"));
    // Without connection facts there is no client IP.
    assert_eq!(IpStrategy::peer().client_ip(&Request::new(())), None);
}

#[test]
fn mapped_ipv6_peer_is_ipv4() {
    let r = request("[::ffff:192.0.2.8]:4000", &[]);
    assert_eq!(IpStrategy::peer().client_ip(&r), ip("192.0.2.8"));
}

#[test]
fn depth_counts_from_the_right() {
    // Traefik's TestDepthStrategy_GetIP cases.
    let r = request("10.9.9.9:1", &["10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1"]);
    assert_eq!(IpStrategy::depth(3).client_ip(&r), ip("10.0.0.3"));
    assert_eq!(IpStrategy::depth(1).client_ip(&r), ip("10.0.0.1"));
    let r = request("10.9.9.9:1", &["10.0.0.2,10.0.0.1"]);
    assert_eq!(IpStrategy::depth(2).client_ip(&r), ip("10.0.0.2"));
}

#[test]
fn depth_beyond_the_list_gives_no_ip_not_the_peer() {
    let r = request("10.9.9.9:1", &["10.0.0.2,10.0.0.1"]);
    assert_eq!(IpStrategy::depth(3).client_ip(&r), None);
    let r = request("10.9.9.9:1", &[]);
    assert_eq!(IpStrategy::depth(1).client_ip(&r), None);
    let r = request("10.9.9.9:1", &[""]);
    assert_eq!(IpStrategy::depth(2).client_ip(&r), None);
}

#[test]
fn several_xff_lines_are_one_list() {
    let r = request("10.9.9.9:1", &["203.0.113.1", "10.0.0.2, 10.0.0.1"]);
    assert_eq!(IpStrategy::depth(3).client_ip(&r), ip("203.0.113.1"));
}

#[test]
fn non_ip_entries_give_no_ip() {
    let r = request("10.9.9.9:1", &["evil, 10.0.0.1"]);
    assert_eq!(IpStrategy::depth(2).client_ip(&r), None);
    let r = request("10.9.9.9:1", &["198.51.100.7:8080, [2001:db8::1]:443"]);
    assert_eq!(IpStrategy::depth(2).client_ip(&r), ip("198.51.100.7"));
    assert_eq!(IpStrategy::depth(1).client_ip(&r), ip("2001:db8::1"));
}

#[test]
fn excluded_ips_skip_from_the_right() {
    // Traefik's TestExcludedIPsStrategy_GetIP cases.
    let nets = |list: &[&str]| -> Vec<IpNet> {
        list.iter()
            .map(|n| {
                n.parse::<IpNet>()
                    .or_else(|_| n.parse::<IpAddr>().map(IpNet::from))
                    .expect("net")
            })
            .collect()
    };
    let all = "10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1";
    let r = request("10.9.9.9:1", &[all]);
    let s = IpStrategy::excluding(nets(&["10.0.0.4", "10.0.0.3", "10.0.0.2", "10.0.0.1"]));
    assert_eq!(s.client_ip(&r), None);
    let s = IpStrategy::excluding(nets(&["10.0.0.2", "10.0.0.1"]));
    assert_eq!(s.client_ip(&r), ip("10.0.0.3"));
    let s = IpStrategy::excluding(nets(&["10.0.0.1/24"]));
    assert_eq!(s.client_ip(&r), None);
    let r = request(
        "10.9.9.9:1",
        &["127.0.0.1,10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1"],
    );
    assert_eq!(s.client_ip(&r), ip("127.0.0.1"));
    // Empty entries are skipped, not taken as the client.
    let r = request("10.9.9.9:1", &["192.0.2.5, , 10.0.0.1"]);
    assert_eq!(s.client_ip(&r), ip("192.0.2.5"));
}

#[test]
fn ipv6_subnet_groups_clients() {
    let r = request(
        "[2001:db8:1:2:3:4:5:6]:1",
        &["2001:db8:aa:bb::9, 192.0.2.1"],
    );
    let peer = IpStrategy::peer().with_ipv6_subnet(64).expect("subnet");
    assert_eq!(peer.client_ip(&r), ip("2001:db8:1:2::"));
    let depth = IpStrategy::depth(2).with_ipv6_subnet(48).expect("subnet");
    assert_eq!(depth.client_ip(&r), ip("2001:db8:aa::"));
    // IPv4 clients are left alone.
    let depth = IpStrategy::depth(1).with_ipv6_subnet(48).expect("subnet");
    assert_eq!(depth.client_ip(&r), ip("192.0.2.1"));
    let full = IpStrategy::peer().with_ipv6_subnet(128).expect("subnet");
    assert_eq!(full.client_ip(&r), ip("2001:db8:1:2:3:4:5:6"));
    // Traefik ignores the subnet for excluded-IP strategies.
    let excl = IpStrategy::excluding(vec!["192.0.2.0/24".parse().expect("net")])
        .with_ipv6_subnet(48)
        .expect("subnet");
    assert_eq!(excl.client_ip(&r), ip("2001:db8:aa:bb::9"));
}

#[test]
fn ipv6_subnet_is_checked() {
    assert_eq!(
        IpStrategy::peer().with_ipv6_subnet(0),
        Err(InvalidIpv6Subnet(0))
    );
    assert_eq!(
        IpStrategy::peer().with_ipv6_subnet(129).map(|_| ()),
        Err(InvalidIpv6Subnet(129))
    );
    assert!(IpStrategy::peer().with_ipv6_subnet(1).is_ok());
}

#[test]
fn sources() {
    let mut r = request("192.0.2.1:1", &[]);
    r.headers_mut()
        .insert("x-api-key", "k1".parse().expect("value"));
    r.headers_mut()
        .insert("host", "a.example".parse().expect("value"));
    assert_eq!(
        SourceCriterion::Ip(IpStrategy::peer()).source(&r),
        SourceKey::Ip(ip("192.0.2.1"))
    );
    assert_eq!(
        SourceCriterion::RequestHeader(HeaderName::from_static("x-api-key")).source(&r),
        SourceKey::Value(Some(HeaderValue::from_static("k1")))
    );
    assert_eq!(
        SourceCriterion::RequestHeader(HeaderName::from_static("x-other")).source(&r),
        SourceKey::Value(None)
    );
    assert_eq!(
        SourceCriterion::RequestHost.source(&r),
        SourceKey::Value(Some(HeaderValue::from_static("a.example")))
    );
    let h2 = Request::get("https://b.example/x")
        .body(())
        .expect("request");
    assert_eq!(
        SourceCriterion::RequestHost.source(&h2),
        SourceKey::Value(Some(HeaderValue::from_static("b.example")))
    );
}
