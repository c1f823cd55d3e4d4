//! Benchmarks of the rule engine: parse + compile, `Rule::matches`, `RouteSet::find`.
//!
//! Run with `cargo bench -p portico-rules -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use portico_rules::{RequestView, RouteSet, Rule, Syntax};

const RULES: &[(&str, &str)] = &[
    ("host", "Host(`svc1.example.com`)"),
    (
        "host_prefix",
        "Host(`svc1.example.com`) && PathPrefix(`/api/1`)",
    ),
    (
        "mixed",
        "(Host(`a.example.com`) || Host(`*.b.example.com`)) && !Method(`OPTIONS`) && Header(`X-Env`, `prod`)",
    ),
    (
        "regexps",
        r"HostRegexp(`^[a-z0-9-]+\.example\.com$`) && PathRegexp(`^/users/\d+/orders/[^/]+$`)",
    ),
];

fn request<'a>(host: &'a str, path: &'a str, headers: &'a http::HeaderMap) -> RequestView<'a> {
    RequestView {
        method: &http::Method::GET,
        host,
        path,
        query: None,
        headers,
        client_ip: Some("192.0.2.10".parse().expect("ip")),
    }
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, src) in RULES {
        group.bench_function(*name, |b| {
            b.iter(|| Rule::parse(black_box(src), Syntax::V3).expect("valid rule"))
        });
    }
    group.finish();
}

fn matches(c: &mut Criterion) {
    let headers = http::HeaderMap::new();
    let mut group = c.benchmark_group("matches");
    for (name, src) in RULES {
        let rule = Rule::parse(src, Syntax::V3).expect("valid rule");
        let (host, path) = match *name {
            "regexps" => ("shop.example.com", "/users/42/orders/abc"),
            _ => ("svc1.example.com", "/api/1/users"),
        };
        let req = request(host, path, &headers);
        group.bench_function(*name, |b| b.iter(|| rule.matches(black_box(&req))));
    }
    group.finish();
}

/// `n` routers: one third `Host && PathPrefix`, one third plain `Host`, one third
/// `Host && PathPrefix` on another prefix, plus three host-less `PathPrefix` rules.
/// Indexes are zero-padded so that every table size compares names of the same length.
fn table(n: usize) -> RouteSet<usize> {
    let mut builder = RouteSet::builder();
    for i in 0..n {
        let src = match i % 3 {
            0 => format!("Host(`svc{i:05}.example.com`) && PathPrefix(`/api/{i:05}`)"),
            1 => format!("Host(`svc{i:05}.example.com`)"),
            _ => format!("Host(`svc{i:05}.example.com`) && PathPrefix(`/v2/{i:05}`)"),
        };
        let rule = Rule::parse(&src, Syntax::V3).expect("valid rule");
        let priority = rule.default_priority();
        builder.push(rule, priority, i);
    }
    for (j, prefix) in ["/static", "/health", "/metrics"].iter().enumerate() {
        let rule = Rule::parse(&format!("PathPrefix(`{prefix}`)"), Syntax::V3).expect("valid");
        let priority = rule.default_priority();
        builder.push(rule, priority, n + j);
    }
    builder.build()
}

fn find(c: &mut Criterion) {
    let headers = http::HeaderMap::new();
    let mut group = c.benchmark_group("find");
    for n in [10usize, 1_000, 10_000] {
        let set = table(n);
        // The last `Host && PathPrefix(/api/..)` router: near the end of the table.
        let last = (0..n).rev().find(|i| i % 3 == 0).unwrap_or(0);
        let host = format!("svc{last:05}.example.com");
        let path = format!("/api/{last:05}/users");
        let hit = request(&host, &path, &headers);
        assert_eq!(set.find(&hit), Some(&last));
        group.bench_with_input(BenchmarkId::new("hit_near_end", n), &hit, |b, req| {
            b.iter(|| set.find(black_box(req)))
        });
        let miss = request("unknown.example.com", "/nothing", &headers);
        assert_eq!(set.find(&miss), None);
        group.bench_with_input(BenchmarkId::new("miss", n), &miss, |b, req| {
            b.iter(|| set.find(black_box(req)))
        });
    }
    group.finish();
}

criterion_group!(benches, parse, matches, find);
criterion_main!(benches);
