//! Obtaining certificates from a real pebble through each challenge.

mod support;

use std::{os::unix::fs::PermissionsExt, sync::Arc, time::Duration};

use portico_acme::{
    CertDomains, Challenges, Manager,
    challenge::dns01::{Dns01, ExecProvider, PropagationCheck},
    storage::AcmeStorage,
};
use portico_config::model::{
    DnsChallengeSpec, DnsProviderKind, HttpChallengeSpec, PropagationSpec, TlsChallengeSpec,
};
use support::{
    pebble::{Pebble, PebbleOptions},
    servers::{http01_server, key_matches, tls_alpn_server, verify_chain},
};

const LIMIT: Duration = Duration::from_secs(90);

#[tokio::test]
async fn http01_certificate_verifies_against_pebble_root() {
    tokio::time::timeout(LIMIT, async {
        let challenges = Challenges::default();
        let (http_port, _server) = http01_server(challenges.http01.clone()).await;
        let pebble = Pebble::start(PebbleOptions {
            http_port,
            ..Default::default()
        })
        .await;
        let storage_path = pebble.dir.path().join("acme.json");
        let mut spec = pebble.spec("le", &storage_path);
        spec.http_challenge = Some(HttpChallengeSpec {
            entry_point: "web".into(),
            delay: Duration::ZERO,
        });
        let storage = AcmeStorage::open(&storage_path).unwrap();
        let manager = Manager::new(Arc::new(spec), storage.clone(), challenges.clone()).unwrap();

        let domains = CertDomains::new("www.http.example.test", ["http.example.test"]);
        let cert = manager.ensure(&domains).await.unwrap();

        let root = pebble.root().await;
        verify_chain(&cert, &root, "www.http.example.test");
        verify_chain(&cert, &root, "http.example.test");
        assert!(key_matches(&cert), "stored key belongs to the leaf");
        assert!(cert.key_pem.contains("BEGIN PRIVATE KEY"));
        assert_eq!(manager.issuer().orders_placed(), 1);
        assert!(challenges.http01.is_empty(), "tokens withdrawn");
        // Pebble's default validity is 5 years: nothing to renew.
        let now = std::time::SystemTime::now();
        assert!(!manager.decision(&cert, now).renew);
        assert!(manager.renew_due(now).await.is_empty());

        // Stored in Traefik's layout, private.
        let mode = std::fs::metadata(&storage_path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let stored = storage.certificates("le");
        assert_eq!(stored.len(), 1);
        assert_eq!(
            stored[0].names(),
            ["www.http.example.test", "http.example.test"]
        );
        let account = storage.account("le").unwrap();
        assert_eq!(account.email, "ops@example.test");
        assert_eq!(account.key_type, "P256");
        assert!(
            account
                .registration
                .unwrap()
                .uri
                .starts_with("https://127.0.0.1:")
        );
    })
    .await
    .expect("test took too long");
}

#[tokio::test]
async fn tls_alpn01_certificate_verifies_against_pebble_root() {
    tokio::time::timeout(LIMIT, async {
        let challenges = Challenges::default();
        let (tls_port, _server) = tls_alpn_server(challenges.tls_alpn01.clone()).await;
        let pebble = Pebble::start(PebbleOptions {
            tls_port,
            ..Default::default()
        })
        .await;
        let storage_path = pebble.dir.path().join("acme.json");
        let mut spec = pebble.spec("tls", &storage_path);
        spec.tls_challenge = Some(TlsChallengeSpec::default());
        spec.key_type = portico_config::model::KeyType::Rsa2048;
        let storage = AcmeStorage::open(&storage_path).unwrap();
        let manager = Manager::new(Arc::new(spec), storage, challenges.clone()).unwrap();

        let cert = manager
            .ensure(&CertDomains::new("alpn.example.test", Vec::<String>::new()))
            .await
            .unwrap();
        verify_chain(&cert, &pebble.root().await, "alpn.example.test");
        assert!(key_matches(&cert));
        assert!(cert.key_pem.contains("BEGIN PRIVATE KEY"));
        assert!(
            challenges.tls_alpn01.get("alpn.example.test").is_none(),
            "withdrawn"
        );
    })
    .await
    .expect("test took too long");
}

#[tokio::test]
async fn dns01_exec_wildcard_certificate_verifies_against_pebble_root() {
    tokio::time::timeout(LIMIT, async {
        let pebble = Pebble::start(PebbleOptions::default()).await;
        // lego's exec convention: `hook present|cleanup <fqdn> <value>`; this one drives
        // challtestsrv's management API with curl.
        let hook = pebble.dir.path().join("dns-hook.sh");
        let log = pebble.dir.path().join("dns-hook.log");
        std::fs::write(
            &hook,
            format!(
                "#!/bin/sh\nset -e\necho \"$1 $2\" >> {log}\n\
                 case \"$1\" in\n\
                 present) curl -sf -X POST -d \"{{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}}\" {url}/set-txt ;;\n\
                 cleanup) curl -sf -X POST -d \"{{\\\"host\\\":\\\"$2\\\"}}\" {url}/clear-txt ;;\n\
                 esac\n",
                log = log.display(),
                url = pebble.challtestsrv_url,
            ),
        )
        .unwrap();
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

        let storage_path = pebble.dir.path().join("acme.json");
        let mut spec = pebble.spec("dns", &storage_path);
        let dns_spec = DnsChallengeSpec {
            provider: DnsProviderKind::Exec,
            resolvers: vec![pebble.dns.to_string()],
            propagation: PropagationSpec::default(),
        };
        let mut propagation = PropagationCheck::from_spec(&dns_spec);
        propagation.interval = Duration::from_millis(200);
        spec.dns_challenge = Some(dns_spec);
        let challenges = Challenges {
            dns01: Some(Arc::new(Dns01 {
                provider: Arc::new(ExecProvider::new(&hook)),
                propagation,
            })),
            ..Challenges::default()
        };
        let storage = AcmeStorage::open(&storage_path).unwrap();
        let manager = Manager::new(Arc::new(spec), storage, challenges).unwrap();

        let cert = manager
            .ensure(&CertDomains::new("*.dns.example.test", ["dns.example.test"]))
            .await
            .unwrap();
        let root = pebble.root().await;
        verify_chain(&cert, &root, "anything.dns.example.test");
        verify_chain(&cert, &root, "dns.example.test");

        let calls = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = calls.lines().collect();
        assert_eq!(lines.len(), 4, "{calls}");
        assert_eq!(
            lines.iter().filter(|l| **l == "present _acme-challenge.dns.example.test.").count(),
            2,
            "{calls}"
        );
        assert!(lines[2..].iter().all(|l| l.starts_with("cleanup ")), "{calls}");
    })
    .await
    .expect("test took too long");
}
