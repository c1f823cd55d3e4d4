//! Benchmarks of the load balancer's pick (no I/O): weighted round robin (smooth
//! up to 32 servers, earliest deadline first above) and power of two choices over
//! 2, 100 and 10,000 servers, all in rotation and with every other server out of
//! rotation.
//!
//! Run with `cargo bench -p portico-service --bench pick -- --quick`.

use std::{
    hint::black_box,
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use portico_service::balancer::{P2c, Wrr};

const SIZES: [usize; 3] = [2, 100, 10_000];

/// What the load balancer reads per server during a pick: an up flag and an
/// in-flight counter.
struct State {
    up: Vec<AtomicBool>,
    in_flight: Vec<AtomicUsize>,
}

fn state(n: usize, every_other_down: bool) -> State {
    State {
        up: (0..n)
            .map(|i| AtomicBool::new(!every_other_down || i % 2 == 0))
            .collect(),
        in_flight: (0..n).map(|i| AtomicUsize::new(i % 3)).collect(),
    }
}

fn weights(n: usize) -> Vec<u32> {
    (0..n).map(|i| 1 + (i % 4) as u32).collect()
}

fn pick(c: &mut Criterion) {
    for (label, every_other_down) in [("all_up", false), ("half_up", true)] {
        let mut group = c.benchmark_group(format!("pick_{label}"));
        for n in SIZES {
            let state = state(n, every_other_down);
            let up = |i: usize| state.up[i].load(Ordering::Relaxed);
            let load = |i: usize| state.in_flight[i].load(Ordering::Relaxed);

            let wrr = Wrr::new(&weights(n));
            group.bench_with_input(BenchmarkId::new("wrr", n), &n, |b, _| {
                b.iter(|| black_box(wrr.next_among_at(1, up)))
            });
            let p2c = P2c::new(&weights(n));
            group.bench_with_input(BenchmarkId::new("p2c", n), &n, |b, _| {
                b.iter(|| black_box(p2c.next_among(up, load)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, pick);
criterion_main!(benches);
