//! Rule conformance through the real proxy: every case of
//! `tests/data/conformance/rules-public.yaml`, each in its own proxy, sent over real
//! sockets.
//!
//! A valid rule gets a router `case` in front of a whoami backend named after the
//! case; each request must reach that backend (match) or get Portico's 404 (no
//! match). An invalid rule must leave its router disabled, with an error about the
//! rule, while a valid router of the same file keeps serving.

use std::time::Duration;

use futures_util::{StreamExt, stream};
use portico_e2e::{
    cases::{self, RuleCase, Source},
    routing::{Router, Routing},
    whoami::Seen,
    wire::Conn,
    within,
};
use portico_test_support::{proxy, upstream};

const CASE_LIMIT: Duration = Duration::from_secs(10);

/// What running some cases found.
#[derive(Debug, Default)]
struct Outcome {
    cases: usize,
    requests: usize,
    /// Requests with a client address that a local socket cannot have.
    unreachable: Vec<String>,
    failures: Vec<String>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.cases += other.cases;
        self.requests += other.requests;
        self.unreachable.extend(other.unreachable);
        self.failures.extend(other.failures);
    }

    fn assert_clean(self, what: &str) {
        println!(
            "{what}: {} cases, {} requests sent, {} requests not exercisable black-box",
            self.cases,
            self.requests,
            self.unreachable.len()
        );
        for line in &self.unreachable {
            println!("  not exercised: {line}");
        }
        assert!(self.cases > 0, "{what}: no case ran");
        assert!(
            self.failures.is_empty(),
            "{what}: {} failure(s):\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

fn qualified(name: &str) -> String {
    format!("{name}@file")
}

/// Runs one valid case: every request is sent and must match or not as stated.
async fn run_valid(case: RuleCase) -> Outcome {
    let mut out = Outcome {
        cases: 1,
        ..Outcome::default()
    };
    let tag = format!("case-{}", case.id);
    let backend = upstream::whoami(&tag).await;
    let routing = Routing::new()
        .router("case", Router::new(&case.rule, "case"))
        .service("case", [backend.url()]);
    let proxy = proxy::builder()
        .routing("case.yaml", &routing.yaml())
        .start()
        .await;
    let status = proxy.status();
    match status.routers.get(&qualified("case")) {
        Some(r) if r.enabled => {}
        other => {
            out.failures.push(format!(
                "{} {:?}: valid rule but router not enabled: {other:?}",
                case.id, case.rule
            ));
            return out;
        }
    }
    let addr = proxy.addr("web");
    for (i, request) in case.requests.iter().enumerate() {
        let what = format!(
            "{} {:?} request #{i} ({} {} headers {:?} remote {:?})",
            case.id, case.rule, request.method, request.url, request.headers, request.remote
        );
        let conn = match request.source() {
            Source::Default => Conn::open(addr).await,
            Source::Loopback(ip) => Conn::open_from(addr, ip).await,
            Source::Unreachable => {
                out.unreachable.push(what);
                continue;
            }
        };
        out.requests += 1;
        let exchange = async {
            let mut conn = conn?;
            conn.send(&request.to_bytes()).await?;
            conn.response().await
        };
        let response = match tokio::time::timeout(CASE_LIMIT, exchange).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => {
                out.failures.push(format!("{what}: exchange failed: {e}"));
                continue;
            }
            Err(_) => {
                out.failures
                    .push(format!("{what}: no answer in {CASE_LIMIT:?}"));
                continue;
            }
        };
        let answered_by = response.header("x-whoami-name").map(str::to_owned);
        let matched = response.status == 200 && answered_by.as_deref() == Some(tag.as_str());
        let not_found = response.status == 404 && response.text() == "404 page not found\n";
        let ok = if request.matches { matched } else { not_found };
        if !ok {
            let seen = Seen::parse(&response.text())
                .map(|s| format!("backend saw {} {}", s.method, s.target))
                .unwrap_or_default();
            out.failures.push(format!(
                "{what}: expected {}, got {} {:?} from {answered_by:?} {seen} body {:?}",
                if request.matches {
                    "a match (200 from the case backend)"
                } else {
                    "no match (404 page not found)"
                },
                response.status,
                response.reason,
                response.text().chars().take(120).collect::<String>()
            ));
        }
    }
    out
}

/// Runs one invalid case: the router is disabled with an error naming its rule,
/// and a valid router of the same file serves.
async fn run_invalid(case: RuleCase) -> Outcome {
    let mut out = Outcome {
        cases: 1,
        ..Outcome::default()
    };
    let sentinel = upstream::whoami("sentinel").await;
    let routing = Routing::new()
        .router("case", Router::new(&case.rule, "sentinel"))
        .router("sentinel", Router::new("Path(`/__sentinel`)", "sentinel"))
        .service("sentinel", [sentinel.url()]);
    let proxy = proxy::builder()
        .routing("case.yaml", &routing.yaml())
        .start()
        .await;
    let status = proxy.status();
    let what = format!("{} {:?}", case.id, case.rule);
    match status.routers.get(&qualified("case")) {
        None => out
            .failures
            .push(format!("{what}: router missing from the status")),
        Some(r) if r.enabled => out
            .failures
            .push(format!("{what}: invalid rule accepted, router enabled")),
        Some(r) if !r.errors.iter().any(|e| e.contains("rule")) => out.failures.push(format!(
            "{what}: router disabled but no error mentions the rule: {:?}",
            r.errors
        )),
        Some(_) => {}
    }
    if !status
        .routers
        .get(&qualified("sentinel"))
        .is_some_and(|r| r.enabled)
    {
        out.failures.push(format!(
            "{what}: the valid router of the same file is not enabled"
        ));
    }
    let addr = proxy.addr("web");
    let served = within(
        CASE_LIMIT,
        "sentinel request",
        portico_test_support::client::get(addr, "example.com", "/__sentinel"),
    )
    .await;
    if served.status != 200 || served.header("x-whoami-name") != Some("sentinel") {
        out.failures.push(format!(
            "{what}: the valid router of the same file does not serve: {} {:?}",
            served.status,
            served.text()
        ));
    }
    let other = within(
        CASE_LIMIT,
        "request to the disabled router",
        portico_test_support::client::get(addr, "example.com", "/"),
    )
    .await;
    if other.status != 404 {
        out.failures.push(format!(
            "{what}: `GET /` should find no router, got {}",
            other.status
        ));
    }
    out
}

async fn run_all(cases: Vec<RuleCase>) -> Outcome {
    let results: Vec<Outcome> = stream::iter(cases)
        .map(|case| async move {
            if case.valid {
                run_valid(case).await
            } else {
                run_invalid(case).await
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut total = Outcome::default();
    for result in results {
        total.merge(result);
    }
    total.failures.sort();
    total
}

fn is_entrypoint_layer(case: &RuleCase) -> bool {
    case.layer.as_deref() == Some("entrypoint")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_rules_disable_only_their_router() {
    let cases: Vec<RuleCase> = cases::rules().into_iter().filter(|c| !c.valid).collect();
    run_all(cases).await.assert_clean("invalid rules");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_rules_match_like_traefik() {
    let cases: Vec<RuleCase> = cases::rules()
        .into_iter()
        .filter(|c| c.valid && !is_entrypoint_layer(c))
        .collect();
    run_all(cases).await.assert_clean("valid rules");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entrypoint_layer_rules_match_after_the_entrypoint_pipeline() {
    let cases: Vec<RuleCase> = cases::rules()
        .into_iter()
        .filter(|c| c.valid && is_entrypoint_layer(c))
        .collect();
    run_all(cases).await.assert_clean("entrypoint-layer rules");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_client_ip_cases_are_sent_from_their_source_address() {
    // Guards the runner itself: a `remote` of 127.0.0.2 must reach Portico from
    // 127.0.0.2, or every ClientIP case above would pass or fail by accident.
    let backend = upstream::whoami("peer").await;
    let routing = Routing::new()
        .router("all", Router::new("PathPrefix(`/`)", "peer"))
        .service("peer", [backend.url()]);
    let proxy = proxy::builder()
        .routing("all.yaml", &routing.yaml())
        .start()
        .await;
    let source = "127.0.0.2".parse().expect("ip");
    let response = within(CASE_LIMIT, "request from 127.0.0.2", async {
        let mut conn = Conn::open_from(proxy.addr("web"), source).await?;
        conn.send(&portico_e2e::wire::request(
            "GET",
            "/",
            Some("example.com"),
            &[("Connection", "close")],
        ))
        .await?;
        conn.response().await
    })
    .await
    .expect("exchange");
    let seen = Seen::parse(&response.text()).expect("whoami dump");
    assert_eq!(seen.header("x-real-ip"), Some("127.0.0.2"), "{seen:?}");
}
