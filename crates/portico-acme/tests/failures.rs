//! Failures name the resolver and the domain, carry the CA's problem document, and
//! are retried with backoff, never in a tight loop.

mod support;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use portico_acme::{
    Backoff, CertDomains, Challenges, ErrorKind, Manager, challenge::http01::Http01Tokens,
    storage::AcmeStorage,
};
use portico_config::model::HttpChallengeSpec;
use support::{
    pebble::{Pebble, PebbleOptions},
    servers::http01_server,
};

const LIMIT: Duration = Duration::from_secs(90);

#[tokio::test]
async fn an_unreachable_ca_is_retried_with_backoff() {
    tokio::time::timeout(LIMIT, async {
        let dir = tempfile::tempdir().unwrap();
        // A port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pebble_like = dir.path().join("ca.pem");
        std::fs::write(
            &pebble_like,
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
                .unwrap()
                .cert
                .pem(),
        )
        .unwrap();
        let mut spec = portico_config::model::AcmeResolverSpec::new("down");
        spec.ca_server = format!("https://127.0.0.1:{port}/dir");
        spec.ca_certificates = vec![pebble_like];
        spec.storage = dir.path().join("acme.json");
        spec.http_challenge = Some(HttpChallengeSpec {
            entry_point: "web".into(),
            delay: Duration::ZERO,
        });
        let storage = AcmeStorage::open(&spec.storage).unwrap();
        let manager = Manager::new(Arc::new(spec), storage, Challenges::default()).unwrap();
        let domains = CertDomains::new("down.example.test", Vec::<String>::new());

        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(200));
        let started = Instant::now();
        let err = manager
            .ensure_with_retry(&domains, &mut backoff, 3)
            .await
            .unwrap_err();
        // Two waits between three attempts: 100ms then 200ms.
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
        assert!(err.is_retryable());
        assert!(matches!(*err.kind, ErrorKind::Acme { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("\"down\"") && msg.contains("down.example.test"),
            "{msg}"
        );
        assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
        assert_eq!(manager.issuer().orders_placed(), 0);
    })
    .await
    .expect("test took too long");
}

#[tokio::test]
async fn a_failed_challenge_carries_the_problem_document() {
    tokio::time::timeout(LIMIT, async {
        // The HTTP-01 server answers from a token map the issuer does not fill: 404.
        let (http_port, _server) = http01_server(Http01Tokens::default()).await;
        let pebble = Pebble::start(PebbleOptions {
            http_port,
            ..Default::default()
        })
        .await;
        let mut spec = pebble.spec("le", &pebble.dir.path().join("acme.json"));
        spec.http_challenge = Some(HttpChallengeSpec {
            entry_point: "web".into(),
            delay: Duration::ZERO,
        });
        let challenges = Challenges::default();
        let storage = AcmeStorage::open(&spec.storage).unwrap();
        let manager = Manager::new(Arc::new(spec), storage.clone(), challenges.clone()).unwrap();

        let err = manager
            .ensure(&CertDomains::new("fail.example.test", Vec::<String>::new()))
            .await
            .unwrap_err();
        let ErrorKind::Challenge {
            domain,
            challenge,
            problem,
        } = &*err.kind
        else {
            panic!("expected a challenge failure, got {err:?}");
        };
        assert_eq!(domain, "fail.example.test");
        assert_eq!(*challenge, "http-01");
        let problem = problem.as_ref().expect("problem document");
        assert!(
            problem
                .r#type
                .as_deref()
                .is_some_and(|t| t.starts_with("urn:ietf:params:acme:error:")),
            "{problem:?}"
        );
        assert!(err.problem().is_some());
        let msg = err.to_string();
        assert!(
            msg.contains("\"le\"") && msg.contains("fail.example.test"),
            "{msg}"
        );
        assert!(msg.contains("urn:ietf:params:acme:error:"), "{msg}");
        assert!(err.is_retryable());
        assert!(
            challenges.http01.is_empty(),
            "token withdrawn after failure"
        );
        assert!(storage.certificates("le").is_empty());
    })
    .await
    .expect("test took too long");
}

#[tokio::test]
async fn wildcards_without_dns01_are_refused_before_ordering() {
    tokio::time::timeout(LIMIT, async {
        let pebble = Pebble::start(PebbleOptions::default()).await;
        let mut spec = pebble.spec("le", &pebble.dir.path().join("acme.json"));
        spec.http_challenge = Some(HttpChallengeSpec {
            entry_point: "web".into(),
            delay: Duration::ZERO,
        });
        let storage = AcmeStorage::open(&spec.storage).unwrap();
        let manager = Manager::new(Arc::new(spec), storage, Challenges::default()).unwrap();
        let err = manager
            .ensure(&CertDomains::new(
                "*.wild.example.test",
                Vec::<String>::new(),
            ))
            .await
            .unwrap_err();
        assert!(matches!(*err.kind, ErrorKind::Domains(_)), "{err:?}");
        assert!(!err.is_retryable());
        let chain = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        assert!(
            chain.contains("*.wild.example.test") && chain.contains("DNS-01"),
            "{chain}"
        );
        assert_eq!(manager.issuer().orders_placed(), 0);
    })
    .await
    .expect("test took too long");
}
