use super::{Merge, RouteSet};
use crate::{RequestView, Rule, Syntax};

fn set(rules: &[(&str, i64)]) -> RouteSet<usize> {
    let mut b = RouteSet::builder();
    for (i, (src, priority)) in rules.iter().enumerate() {
        b.push(Rule::parse(src, Syntax::V3).unwrap(), *priority, i);
    }
    b.build()
}

fn find(set: &RouteSet<usize>, host: &str, path: &str) -> Option<usize> {
    let headers = http::HeaderMap::new();
    let req = RequestView {
        method: &http::Method::GET,
        host,
        path,
        query: None,
        headers: &headers,
        client_ip: None,
    };
    set.find(&req).copied()
}

#[test]
fn priority_descending_then_insertion_order() {
    let s = set(&[
        ("PathPrefix(`/`)", 1),
        ("Host(`a.com`)", 5),
        ("Host(`a.com`) && PathPrefix(`/x`)", 5),
        ("PathPrefix(`/x`)", 10),
    ]);
    assert_eq!(find(&s, "a.com", "/x"), Some(3));
    assert_eq!(
        find(&s, "a.com", "/y"),
        Some(1),
        "equal priority: first pushed wins"
    );
    assert_eq!(find(&s, "b.com", "/y"), Some(0));
    let order: Vec<_> = s.iter().map(|(_, p, v)| (p, *v)).collect();
    assert_eq!(order, vec![(10, 3), (5, 1), (5, 2), (1, 0)]);
    assert_eq!(s.len(), 4);
    assert!(!s.is_empty());
}

#[test]
fn wildcard_exact_generic_and_trailing_dots() {
    let s = set(&[
        ("Host(`*.a.com`)", 3),
        ("Host(`x.a.com.`)", 2),
        ("Host(`*`)", 1),
        ("Host(`b.com`) || Host(`*.b.com`)", 4),
    ]);
    assert_eq!(find(&s, "y.a.com", "/"), Some(0));
    assert_eq!(find(&s, "y.a.com.", "/"), Some(0));
    assert_eq!(
        find(&s, "x.a.com", "/"),
        Some(0),
        "wildcard has the higher priority"
    );
    assert_eq!(find(&s, "a.com", "/"), Some(2));
    assert_eq!(
        find(&s, "", "/"),
        Some(2),
        "bare * matches requests without host"
    );
    assert_eq!(find(&s, "q.b.com", "/"), Some(3));
    assert_eq!(find(&s, "b.com", "/"), Some(3));
    assert_eq!(find(&s, "EXAMPLE", "/"), Some(2), "linear fallback");
}

#[test]
fn empty_set_and_misses() {
    let s: RouteSet<usize> = RouteSet::builder().build();
    assert!(s.is_empty());
    assert_eq!(find(&s, "a", "/"), None);
    let s = set(&[("Host(`a`)", 1)]);
    assert_eq!(find(&s, "b", "/"), None);
    assert_eq!(find(&s, "", "/"), None);
}

#[test]
fn merge_is_ordered_and_deduplicated() {
    let merged: Vec<u32> = Merge::new([&[1, 4, 9], &[1, 2, 9], &[0, 5]]).collect();
    assert_eq!(merged, vec![0, 1, 2, 4, 5, 9]);
    assert_eq!(Merge::new([&[], &[], &[]]).count(), 0);
}

#[test]
fn route_set_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RouteSet<String>>();
}
