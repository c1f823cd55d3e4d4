//! Restarts, Traefik's own acme.json, and renewal, against a real pebble.

mod support;

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use portico_acme::{CertDomains, Challenges, Manager, storage::AcmeStorage};
use portico_config::model::HttpChallengeSpec;
use rsa::pkcs1::EncodeRsaPrivateKey;
use support::{
    pebble::{Pebble, PebbleOptions},
    servers::{http01_server, verify_chain},
};

const LIMIT: Duration = Duration::from_secs(90);

async fn http_pebble(
    validity_secs: Option<u64>,
) -> (Pebble, Challenges, tokio::task::JoinHandle<()>) {
    let challenges = Challenges::default();
    let (http_port, server) = http01_server(challenges.http01.clone()).await;
    let pebble = Pebble::start(PebbleOptions {
        http_port,
        validity_secs,
        ..Default::default()
    })
    .await;
    (pebble, challenges, server)
}

fn http_spec(pebble: &Pebble, name: &str) -> portico_config::model::AcmeResolverSpec {
    let mut spec = pebble.spec(name, &pebble.dir.path().join("acme.json"));
    spec.http_challenge = Some(HttpChallengeSpec {
        entry_point: "web".into(),
        delay: Duration::ZERO,
    });
    spec
}

#[tokio::test]
async fn a_restart_reuses_acme_json_and_places_no_order() {
    tokio::time::timeout(LIMIT, async {
        let (pebble, challenges, _server) = http_pebble(None).await;
        let spec = Arc::new(http_spec(&pebble, "le"));
        let domains = CertDomains::new("restart.example.test", Vec::<String>::new());

        let first = {
            let storage = AcmeStorage::open(&spec.storage).unwrap();
            let manager = Manager::new(spec.clone(), storage, challenges.clone()).unwrap();
            let cert = manager.ensure(&domains).await.unwrap();
            assert_eq!(manager.issuer().orders_placed(), 1);
            cert
        };
        let account_before = AcmeStorage::open(&spec.storage).unwrap().account("le");

        // "Restart": everything rebuilt from the file.
        let storage = AcmeStorage::open(&spec.storage).unwrap();
        let manager = Manager::new(spec.clone(), storage.clone(), challenges.clone()).unwrap();
        let again = manager.ensure(&domains).await.unwrap();
        assert_eq!(manager.issuer().orders_placed(), 0, "nothing re-issued");
        assert_eq!(again.serial, first.serial);
        assert_eq!(again, first);

        // A new name orders with the stored account (no new registration).
        let other = CertDomains::new("other.example.test", Vec::<String>::new());
        manager.ensure(&other).await.unwrap();
        assert_eq!(manager.issuer().orders_placed(), 1);
        assert_eq!(storage.account("le"), account_before, "account reused");
        assert_eq!(storage.certificates("le").len(), 2);
    })
    .await
    .expect("test took too long");
}

#[tokio::test]
async fn a_traefik_acme_json_is_read_as_is() {
    tokio::time::timeout(LIMIT, async {
        let (pebble, challenges, _server) = http_pebble(None).await;
        let spec = Arc::new(http_spec(&pebble, "le"));

        // What Traefik leaves behind: an RSA account key (PKCS#1 DER), an RSA
        // certificate key ("RSA PRIVATE KEY"), base64 everywhere, a second resolver.
        let account_key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        let account_der = account_key.to_pkcs1_der().unwrap();
        let cert_key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(vec!["legacy.example.test".to_owned()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        let legacy = params.self_signed(&cert_key).unwrap();
        let file = serde_json::json!({
            "le": {
                "Account": {
                    "Email": "old@example.test",
                    "Registration": {
                        "body": {"status": "valid", "contact": ["mailto:old@example.test"]},
                        "uri": "https://acme-v02.api.letsencrypt.org/acme/acct/1"
                    },
                    "PrivateKey": STANDARD.encode(account_der.as_bytes()),
                    "KeyType": "4096"
                },
                "Certificates": [{
                    "domain": {"main": "legacy.example.test"},
                    "certificate": STANDARD.encode(legacy.pem()),
                    "key": STANDARD.encode(cert_key.serialize_pem()),
                    "Store": "default"
                }]
            },
            "other": {"Account": null, "Certificates": null}
        });
        std::fs::write(&spec.storage, serde_json::to_string_pretty(&file).unwrap()).unwrap();

        let storage = AcmeStorage::open(&spec.storage).unwrap();
        let manager = Manager::new(spec.clone(), storage.clone(), challenges).unwrap();
        let legacy_domains = CertDomains::new("legacy.example.test", Vec::<String>::new());
        let served = manager.ensure(&legacy_domains).await.unwrap();
        assert_eq!(
            manager.issuer().orders_placed(),
            0,
            "stored certificate used as is"
        );
        assert_eq!(served.chain_pem, legacy.pem());

        // A new name: the RSA account cannot sign for instant-acme, so a new account
        // is registered; the legacy certificate and the other resolver stay.
        let fresh = manager
            .ensure(&CertDomains::new(
                "fresh.example.test",
                Vec::<String>::new(),
            ))
            .await
            .unwrap();
        verify_chain(&fresh, &pebble.root().await, "fresh.example.test");
        let reread = AcmeStorage::open(&spec.storage).unwrap();
        let account = reread.account("le").unwrap();
        assert_eq!(account.email, "ops@example.test");
        assert!(account.registration.unwrap().uri.contains("127.0.0.1"));
        assert_eq!(reread.certificates("le").len(), 2);
        assert_eq!(reread.resolvers(), ["le", "other"]);
    })
    .await
    .expect("test took too long");
}

#[tokio::test]
async fn short_lived_certificates_are_renewed() {
    tokio::time::timeout(LIMIT, async {
        // Pebble issues 10-minute certificates; with certificatesDuration 1h the
        // renewal period is 20 minutes: due as soon as issued.
        let (pebble, challenges, _server) = http_pebble(Some(600)).await;
        let mut spec = http_spec(&pebble, "short");
        spec.certificates_duration = Duration::from_secs(3600);
        let spec = Arc::new(spec);
        let storage = AcmeStorage::open(&spec.storage).unwrap();
        let manager = Manager::new(spec.clone(), storage.clone(), challenges).unwrap();
        let domains = CertDomains::new("renew.example.test", Vec::<String>::new());
        let first = manager.ensure(&domains).await.unwrap();
        let lifetime = first.not_after.duration_since(first.not_before).unwrap();
        assert!(lifetime <= Duration::from_secs(601), "{lifetime:?}");

        let now = SystemTime::now();
        let decision = manager.decision(&first, now);
        assert!(decision.renew);
        assert_eq!(decision.next_check, Duration::from_secs(60));
        assert_eq!(manager.next_check(now), Duration::from_secs(60));

        let renewed = manager.renew_due(now).await;
        assert_eq!(renewed.len(), 1);
        let second = renewed.into_iter().next().unwrap().unwrap();
        assert_ne!(second.serial, first.serial);
        verify_chain(&second, &pebble.root().await, "renew.example.test");
        assert_eq!(manager.issuer().orders_placed(), 2);
        let stored = storage.certificates("short");
        assert_eq!(stored.len(), 1, "replaced, not added");
        assert_eq!(stored[0].certificate_pem(), second.chain_pem);
        // ensure() now returns the renewed certificate.
        assert_eq!(
            manager.ensure(&domains).await.unwrap().serial,
            second.serial
        );
    })
    .await
    .expect("test took too long");
}
