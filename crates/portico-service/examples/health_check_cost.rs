//! What health checking many servers costs: CPU time and memory of one process
//! whose load balancer probes `servers` backends every `interval_ms`.
//!
//! Run with
//! `cargo run --release -p portico-service --example health_check_cost -- 1000 1000 10`
//! (servers, interval in ms, seconds). The backends (one listener per server) run
//! in a child process, so the figures are those of the checking process alone:
//! CPU time (user + system, from `/proc/self/stat`, the numbers `getrusage`
//! reports) and resident memory (`VmRSS`), printed every second. Linux only.

#![allow(clippy::unwrap_used)] // a measuring tool panics on the unexpected

use std::{
    convert::Infallible,
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use http::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use portico_core::Body;
use portico_proxy::{Forwarder, Target, Transport, TransportSettings};
use portico_service::{ActiveHealthCheck, LoadBalancer};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    if args.first().map(String::as_str) == Some("--backend") {
        runtime.block_on(backend(arg(1, 1000) as usize));
    } else {
        runtime.block_on(measure(
            arg(0, 1000) as usize,
            Duration::from_millis(arg(1, 1000)),
            arg(2, 10),
        ));
    }
}

/// The checking side: starts the backends, then the balancer, then samples.
async fn measure(servers: usize, interval: Duration, seconds: u64) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--backend", &servers.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ports: Vec<u16> = lines
        .next()
        .unwrap()
        .unwrap()
        .split(',')
        .map(|p| p.parse().unwrap())
        .collect();

    let (cpu_before, rss_before) = (cpu_time(), rss_kib());
    let forwarder = Forwarder::new(Transport::new(&TransportSettings::default()).unwrap());
    let lb = LoadBalancer::builder("cost@example", forwarder)
        .servers(ports.iter().map(|port| {
            let target = Target::parse(&format!("http://127.0.0.1:{port}")).unwrap();
            (Arc::new(target), 1)
        }))
        .health_check(Some(ActiveHealthCheck {
            path: "/health".parse().unwrap(),
            interval,
            timeout: Duration::from_secs(5),
            ..ActiveHealthCheck::default()
        }))
        .build()
        .unwrap();
    println!(
        "{servers} servers, probed every {interval:?}, for {seconds}s; rss before the balancer: {:.1} MiB",
        rss_before as f64 / 1024.0
    );

    let start = Instant::now();
    let mut last = (start, cpu_time());
    let mut peak_rss = 0;
    for second in 1..=seconds {
        tokio::time::sleep_until((start + Duration::from_secs(second)).into()).await;
        let (now, cpu) = (Instant::now(), cpu_time());
        let rss = rss_kib();
        peak_rss = peak_rss.max(rss);
        let up = lb.statuses().iter().filter(|s| s.up).count();
        let per_second = (cpu - last.1).as_secs_f64() / (now - last.0).as_secs_f64();
        println!(
            "t={second:>3}s  cpu {:>6.1} ms/s ({:>4.1}% of one core)  rss {:>6.1} MiB (+{:.1})  up {up}/{servers}",
            per_second * 1000.0,
            per_second * 100.0,
            rss as f64 / 1024.0,
            rss.saturating_sub(rss_before) as f64 / 1024.0,
        );
        last = (now, cpu);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = (cpu_time() - cpu_before).as_secs_f64();
    drop(lb);

    // Closing the child's stdin makes it print how many probes it answered.
    drop(child.stdin.take());
    let answered: f64 = lines.next().unwrap().unwrap().trim().parse().unwrap();
    let _ = child.wait();
    println!(
        "total: {answered} probes answered in {elapsed:.1}s ({:.0}/s); cpu {:.1} ms/s, {:.1} µs per probe; peak rss +{:.1} MiB",
        answered / elapsed,
        cpu * 1000.0 / elapsed,
        cpu * 1e6 / answered.max(1.0),
        peak_rss.saturating_sub(rss_before) as f64 / 1024.0,
    );
}

/// The backends: one listener per server answering `200 ok`; prints the ports,
/// then, when stdin closes, the number of requests answered.
async fn backend(servers: usize) {
    let answered = Arc::new(AtomicUsize::new(0));
    let mut ports = Vec::with_capacity(servers);
    for _ in 0..servers {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        ports.push(listener.local_addr().unwrap().port().to_string());
        let answered = answered.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let answered = answered.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |_request| {
                        answered.fetch_add(1, Ordering::Relaxed);
                        let mut response = Response::new(Body::from("ok"));
                        *response.status_mut() = StatusCode::OK;
                        async move { Ok::<_, Infallible>(response) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    }
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", ports.join(",")).unwrap();
    stdout.flush().unwrap();
    let _ = tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
    })
    .await;
    writeln!(stdout, "{}", answered.load(Ordering::Relaxed)).unwrap();
}

/// User + system CPU time of this process (all threads), from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // USER_HZ is 100 on every Linux platform Portico targets.
    Duration::from_millis(ticks * 10)
}

/// Resident memory in KiB, from `/proc/self/status`.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
