//! Reload cost: validating and compiling a routing configuration of 10, 1,000 and
//! 10,000 routers (mixed `Host(...) && PathPrefix(...)` and `Host(...)` rules, one
//! service per ten routers), cold (everything built) and warm (the previous
//! compilation's services reused, as on a reload that changes one router).
//!
//! Run with `cargo bench -p portico-router --bench compile`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use portico_config::{Format, parse_routing, raw::RoutingConfig, validate};
use portico_proxy::{Transport, TransportSettings};
use portico_router::{Compiler, EntryPointSet};

fn config(routers: usize) -> RoutingConfig {
    let mut yaml = String::from("http:\n  routers:\n");
    for i in 0..routers {
        let rule = if i % 2 == 0 {
            format!("Host(`svc{i:05}.example.com`) && PathPrefix(`/api/{i}`)")
        } else {
            format!("Host(`svc{i:05}.example.com`)")
        };
        yaml.push_str(&format!(
            "    r{i}:\n      rule: \"{rule}\"\n      service: s{}\n",
            i / 10
        ));
    }
    yaml.push_str("  services:\n");
    for s in 0..routers.div_ceil(10) {
        yaml.push_str(&format!(
            "    s{s}:\n      loadBalancer:\n        servers:\n          - url: http://10.0.{}.{}:8080\n",
            s / 250,
            s % 250
        ));
    }
    parse_routing(&yaml, Format::Yaml, "bench").expect("bench config parses")
}

fn compile(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _guard = runtime.enter();
    let eps = EntryPointSet::new([("web", false)]);
    let mut group = c.benchmark_group("reload");
    group.sample_size(10);
    for n in [10usize, 1_000, 10_000] {
        let raw = config(n);
        group.bench_with_input(BenchmarkId::new("validate", n), &raw, |b, raw| {
            b.iter(|| validate::routing("file", black_box(raw), &Default::default()))
        });
        group.bench_with_input(BenchmarkId::new("compile_cold", n), &raw, |b, raw| {
            b.iter(|| {
                let model = validate::routing("file", raw, &Default::default());
                let mut compiler = Compiler::new(
                    Transport::new(&TransportSettings::default()).expect("default transport"),
                );
                compiler.compile(&model, &eps)
            })
        });
        let mut compiler = Compiler::new(
            Transport::new(&TransportSettings::default()).expect("default transport"),
        );
        let model = validate::routing("file", &raw, &Default::default());
        compiler.compile(&model, &eps);
        group.bench_with_input(BenchmarkId::new("reload_warm", n), &raw, |b, raw| {
            b.iter(|| {
                let model = validate::routing("file", raw, &Default::default());
                compiler.compile(&model, &eps)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
