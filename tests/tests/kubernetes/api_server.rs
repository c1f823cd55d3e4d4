//! The CRD provider against a fake API server speaking the real list + watch
//! protocol: kube-rs's watchers run for real while objects are created,
//! changed and deleted under traffic.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use portico_test_support::{FakeKubeApi, client, proxy, tls as test_tls, upstream};

use super::*;

const IO: &str = "traefik.io/v1alpha1";

/// Install configuration pointing the CRD provider at `api`.
fn crd_install(api: &FakeKubeApi, extra: &str) -> String {
    install(&format!(
        "kubernetesCRD:\n  endpoint: \"{}\"\n  token: s3cret\n{extra}",
        api.url()
    ))
}

/// Starts the proxy on `api` and waits until its first router is enabled.
async fn start(api: &FakeKubeApi, extra: &str, first_router: &str) -> Proxy {
    let proxy = proxy::builder()
        .install(&crd_install(api, extra))
        .start()
        .await;
    until_status(&proxy, "first router from the API server", |s| {
        router(s, first_router).is_some_and(|(_, enabled, _)| enabled)
    })
    .await;
    proxy
}

/// GETs `/api/x` on `my-app.example.com` until stopped; the statuses seen, in order.
fn traffic(addr: SocketAddr, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<Vec<u16>> {
    tokio::spawn(async move {
        let mut statuses = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let reply = within(
                EXCHANGE,
                "request under reconfiguration",
                client::get(addr, "my-app.example.com", "/api/x"),
            )
            .await;
            statuses.push(reply.status.as_u16());
        }
        statuses
    })
}

const EXCHANGE: Duration = Duration::from_secs(5);

#[tokio::test]
async fn objects_created_changed_and_deleted_while_traffic_flows() {
    let api = FakeKubeApi::start().await;
    let a = upstream::whoami("backend-a").await;
    let b = upstream::whoami("backend-b").await;
    api.apply_yaml(&seed_route(IO));
    api.apply_yaml(&service("default", "my-app-service", &[a.addr()]));
    let proxy = start(&api, "", "default-my-app-").await;
    assert_eq!(api.last_authorization().as_deref(), Some("Bearer s3cret"));
    let web = proxy.addr("web");
    let stop = Arc::new(AtomicBool::new(false));
    let flow = traffic(web, stop.clone());
    until_body(web, "my-app.example.com", "/api/x", "Name: backend-a").await;

    // Pods change: the EndpointSlice now lists b.
    api.apply_yaml(&service("default", "my-app-service", &[b.addr()]));
    until_body(web, "my-app.example.com", "/api/x", "Name: backend-b").await;

    // A second IngressRoute, in the legacy group, appears.
    api.apply_yaml(
        &seed_route("traefik.containo.us/v1alpha1")
            .replace("my-app.example.com", "legacy.example.com")
            .replace("name: my-app,", "name: legacy,"),
    );
    until_body(web, "legacy.example.com", "/api/x", "Name: backend-b").await;

    // The route changes its rule.
    api.apply_yaml(&seed_route(IO).replace("PathPrefix(`/api`)", "PathPrefix(`/v2`)"));
    until_body(web, "my-app.example.com", "/v2/x", "Name: backend-b").await;
    stop.store(true, Ordering::Relaxed);
    let statuses = flow.await.unwrap();
    // Until the rule moved away from /api every request was answered by a backend:
    // no request was dropped or failed by a reconfiguration.
    let answered = statuses.iter().take_while(|s| **s == 200).count();
    eprintln!(
        "{} requests during the changes, {answered} answered before the rule moved",
        statuses.len()
    );
    assert!(answered > 0, "{statuses:?}");
    assert!(
        statuses[answered..].iter().all(|s| *s == 404),
        "{statuses:?}"
    );

    // Deleted: its router goes.
    assert!(api.delete(IO, "IngressRoute", Some("default"), "my-app"));
    until_status(&proxy, "router of the deleted IngressRoute removed", |s| {
        router(s, "default-my-app-").is_none() && router(s, "default-legacy-").is_some()
    })
    .await;
    assert_eq!(
        client::get(web, "my-app.example.com", "/v2/x").await.status,
        404
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn endpoint_slices_of_pods_coming_and_going_change_the_load_balancer() {
    let api = FakeKubeApi::start().await;
    let a = upstream::whoami("pod-a").await;
    let b = upstream::whoami("pod-b").await;
    api.apply_yaml(&seed_route(IO));
    api.apply_yaml(&service("default", "my-app-service", &[a.addr()]));
    // A second slice of the same Service: pod b.
    let slice_b = service("default", "my-app-service", &[b.addr()])
        .split("---\n")
        .nth(1)
        .unwrap()
        .replace("my-app-service-abcde", "my-app-service-fghij");
    api.apply_yaml(&slice_b);
    let proxy = start(&api, "", "default-my-app-").await;
    let web = proxy.addr("web");
    let seen = |n: usize| async move {
        let mut names = std::collections::BTreeSet::new();
        for _ in 0..n {
            let text = client::get(web, "my-app.example.com", "/api/x")
                .await
                .text();
            names.insert(
                text.lines()
                    .find(|l| l.starts_with("Name:"))
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        names
    };
    let both = seen(8).await;
    assert_eq!(both.len(), 2, "{both:?}");

    // Pod b goes away (not ready, then its slice deleted): only a answers.
    api.apply_yaml(&slice_b.replace("conditions: {ready: true}", "conditions: {ready: false}"));
    within(DEADLINE, "pod b leaves the balancer", async {
        while seen(6).await.len() != 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(
        seen(6).await.into_iter().collect::<Vec<_>>(),
        ["Name: pod-a"]
    );
    assert!(api.delete(
        "discovery.k8s.io/v1",
        "EndpointSlice",
        Some("default"),
        "my-app-service-fghij"
    ));

    // Every pod gone: the router is disabled with the reason, not a black hole.
    assert!(api.delete(
        "discovery.k8s.io/v1",
        "EndpointSlice",
        Some("default"),
        "my-app-service-abcde"
    ));
    let status = until_status(&proxy, "router without endpoints disabled", |s| {
        router(s, "default-my-app-").is_some_and(|(_, enabled, _)| !enabled)
    })
    .await;
    let (_, _, errors) = router(&status, "default-my-app-").unwrap();
    assert!(
        errors[0].contains("no ready endpoints for service default/my-app-service"),
        "{errors:?}"
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn cross_namespace_references_are_refused_with_the_object_named() {
    let api = FakeKubeApi::start().await;
    let app = upstream::whoami("shared").await;
    api.apply_yaml(&service("team-b", "web", &[app.addr()]));
    api.apply_yaml(&service("team-a", "web", &[app.addr()]));
    api.apply_yaml(
        "apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: front, namespace: team-a}
spec:
  routes:
    - match: Path(`/own`)
      services: [{name: web, port: 80}]
    - match: Path(`/theirs`)
      services: [{name: web, namespace: team-b, port: 80}]
      middlewares: [{name: auth, namespace: team-b}]
",
    );
    let proxy = start(&api, "", "team-a-front-").await;
    let status = until_status(&proxy, "both routes known", |s| s.routers.len() == 2).await;
    let refused: Vec<_> = status.routers.values().filter(|r| !r.enabled).collect();
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].errors[0].starts_with("ingressroute team-a/front: "),
        "{:?}",
        refused[0].errors
    );
    assert_eq!(
        client::get(proxy.addr("web"), "x", "/own").await.status,
        200
    );
    assert_eq!(
        client::get(proxy.addr("web"), "x", "/theirs").await.status,
        404
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn tls_secrets_are_served_and_a_renewed_secret_applies_on_the_next_handshake() {
    let api = FakeKubeApi::start().await;
    let app = upstream::whoami("secure").await;
    let ca = test_tls::Ca::new("cluster CA");
    let secret = |leaf: &test_tls::Leaf| {
        serde_json::json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": "my-app-tls", "namespace": "default"},
            "data": {"tls.crt": b64(&leaf.cert_pem), "tls.key": b64(&leaf.key_pem)}})
    };
    let first = ca.leaf(&["my-app.example.com"]);
    api.apply(secret(&first));
    api.apply_yaml(&format!(
        "{}  tls: {{secretName: my-app-tls}}\n",
        seed_route(IO)
    ));
    api.apply_yaml(&service("default", "my-app-service", &[app.addr()]));
    let proxy = start(&api, "", "default-my-app-").await;
    let options = test_tls::ClientOptions {
        ca: Some(ca.pem()),
        ..Default::default()
    };
    let served = || async {
        let stream = test_tls::connect(
            proxy.addr("websecure"),
            "my-app.example.com",
            test_tls::client_config(&options),
        )
        .await
        .expect("verified handshake");
        test_tls::served(&stream)
    };
    assert_eq!(served().await, first.der);
    let reply = test_tls::get(
        proxy.addr("websecure"),
        "my-app.example.com",
        "my-app.example.com",
        "/api/x",
        &options,
    )
    .await;
    assert_eq!(reply.status, 200);

    let renewed = ca.leaf(&["my-app.example.com"]);
    api.apply(secret(&renewed));
    within(DEADLINE, "renewed certificate served", async {
        while served().await != renewed.der {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    proxy.shutdown().await;
}

#[tokio::test]
async fn after_the_history_is_compacted_the_provider_lists_again_and_converges() {
    let api = FakeKubeApi::start().await;
    let a = upstream::whoami("before").await;
    let b = upstream::whoami("after").await;
    api.apply_yaml(&seed_route(IO));
    api.apply_yaml(&service("default", "my-app-service", &[a.addr()]));
    let proxy = start(&api, "", "default-my-app-").await;
    api.wait_for_watches("endpointslices", 1).await;
    let lists = api.list_count("endpointslices");
    api.compact();
    api.apply_yaml(&service("default", "my-app-service", &[b.addr()]));
    until_body(
        proxy.addr("web"),
        "my-app.example.com",
        "/api/x",
        "Name: after",
    )
    .await;
    within(DEADLINE, "a new list after 410 Gone", async {
        while api.list_count("endpointslices") <= lists {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    proxy.shutdown().await;
}

fn b64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}
