//! `providers.kubernetesCRD.manifests`: the same objects as in a cluster, read
//! from YAML files and watched.

use portico_test_support::{client, proxy, tls as test_tls, upstream};

use super::*;

#[tokio::test]
async fn the_seed_ingress_route_is_served_from_manifests_in_both_api_groups() {
    for group in ["traefik.io/v1alpha1", "traefik.containo.us/v1alpha1"] {
        let app = upstream::whoami("my-app").await;
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{}---\n{}",
            seed_route(group),
            service("default", "my-app-service", &[app.addr()])
        );
        write(dir.path(), "app.yaml", &text);
        let proxy = proxy::builder()
            .install(&install(&format!(
                "kubernetesCRD:\n  manifests: [\"{}\"]",
                dir.path().display()
            )))
            .start()
            .await;
        let status = proxy.status();
        let (name, enabled, errors) =
            router(&status, "default-my-app-").expect("the route's router");
        assert!(enabled, "{name}: {errors:?}");
        assert!(name.ends_with("@kubernetescrd"), "{name}");

        let reply = client::get(proxy.addr("web"), "my-app.example.com", "/api/users").await;
        assert_eq!(reply.status, 200, "{group}: {}", reply.text());
        assert!(reply.text().contains("Name: my-app"), "{}", reply.text());
        assert_eq!(
            client::get(proxy.addr("web"), "my-app.example.com", "/other")
                .await
                .status,
            404
        );
        assert_eq!(
            client::get(proxy.addr("web"), "else.example.com", "/api")
                .await
                .status,
            404
        );

        // The same route over TLS on websecure (default certificate).
        let stream = test_tls::connect(
            proxy.addr("websecure"),
            "my-app.example.com",
            test_tls::accept_any_config(),
        )
        .await
        .expect("handshake");
        let request = http::Request::get("https://my-app.example.com/api")
            .body(http_body_util::Full::new(bytes::Bytes::new()))
            .unwrap();
        let reply = test_tls::send(stream, request).await;
        assert_eq!(reply.status, 200);
        proxy.shutdown().await;
    }
}

#[tokio::test]
async fn manifest_changes_apply_live_and_a_broken_file_keeps_the_last_good_objects() {
    let a = upstream::whoami("backend-a").await;
    let b = upstream::whoami("backend-b").await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "route.yaml", &seed_route("traefik.io/v1alpha1"));
    write(
        dir.path(),
        "service.yaml",
        &service("default", "my-app-service", &[a.addr()]),
    );
    let proxy = proxy::builder()
        .install(&install(&format!(
            "kubernetesCRD:\n  manifests: [\"{}\"]",
            dir.path().display()
        )))
        .start()
        .await;
    let web = proxy.addr("web");
    until_body(web, "my-app.example.com", "/api/x", "Name: backend-a").await;

    // Pods come and go: the EndpointSlice now points at b.
    write(
        dir.path(),
        "service.yaml",
        &service("default", "my-app-service", &[b.addr()]),
    );
    until_body(web, "my-app.example.com", "/api/x", "Name: backend-b").await;

    // A file that does not parse: reported, the last good objects keep serving.
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: [oops\n",
    );
    let before = *proxy.handle().applied().borrow();
    proxy.reload_routing().await;
    assert_eq!(*proxy.handle().applied().borrow(), before + 1);
    let reply = client::get(web, "my-app.example.com", "/api/x").await;
    assert!(reply.text().contains("Name: backend-b"), "{}", reply.text());
    std::fs::remove_file(dir.path().join("broken.yaml")).unwrap();

    // The IngressRoute goes away: its router with it.
    std::fs::remove_file(dir.path().join("route.yaml")).unwrap();
    until_status(&proxy, "router removed", |s| {
        router(s, "default-my-app-").is_none()
    })
    .await;
    assert_eq!(
        client::get(web, "my-app.example.com", "/api").await.status,
        404
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn tls_secret_certificates_are_served_by_sni() {
    let app = upstream::whoami("secure").await;
    let ca = test_tls::Ca::new("manifest CA");
    let leaf = ca.leaf(&["my-app.example.com"]);
    let indent = |pem: &str| {
        pem.lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    };
    let secret = format!(
        "apiVersion: v1
kind: Secret
metadata: {{name: my-app-tls, namespace: default}}
type: kubernetes.io/tls
stringData:
  tls.crt: |
{}  tls.key: |
{}",
        indent(&leaf.cert_pem),
        indent(&leaf.key_pem)
    );
    let route = format!(
        "{}  tls:\n    secretName: my-app-tls\n",
        seed_route("traefik.io/v1alpha1")
    );
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{route}---\n{secret}---\n{}",
        service("default", "my-app-service", &[app.addr()])
    );
    write(dir.path(), "all.yaml", &text);
    let proxy = proxy::builder()
        .install(&install(&format!(
            "kubernetesCRD:\n  manifests: [\"{}\"]",
            dir.path().display()
        )))
        .start()
        .await;
    let options = test_tls::ClientOptions {
        ca: Some(ca.pem()),
        ..Default::default()
    };
    let reply = test_tls::get(
        proxy.addr("websecure"),
        "my-app.example.com",
        "my-app.example.com",
        "/api",
        &options,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let stream = test_tls::connect(
        proxy.addr("websecure"),
        "my-app.example.com",
        test_tls::client_config(&options),
    )
    .await
    .expect("verified handshake");
    assert_eq!(test_tls::served(&stream), leaf.der);
    proxy.shutdown().await;
}

#[tokio::test]
async fn cross_namespace_references_disable_only_their_routes() {
    let app = upstream::whoami("shared").await;
    let dir = tempfile::tempdir().unwrap();
    let route = "apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: front, namespace: team-a}
spec:
  routes:
    - match: Path(`/own`)
      services: [{name: web, port: 80}]
    - match: Path(`/other`)
      services: [{name: web, namespace: team-b, port: 80}]
";
    let text = format!(
        "{route}---\n{}---\n{}",
        service("team-a", "web", &[app.addr()]),
        service("team-b", "web", &[app.addr()])
    );
    write(dir.path(), "all.yaml", &text);
    let providers = |allow: bool| {
        install(&format!(
            "kubernetesCRD:\n  allowCrossNamespace: {allow}\n  manifests: [\"{}\"]",
            dir.path().display()
        ))
    };
    let proxy = proxy::builder().install(&providers(false)).start().await;
    let web = proxy.addr("web");
    let status = proxy.status();
    let refused: Vec<_> = status
        .routers
        .iter()
        .filter(|(_, r)| !r.enabled)
        .map(|(n, r)| (n.clone(), r.errors.clone()))
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].0.starts_with("team-a-front-"), "{refused:?}");
    assert!(
        refused[0].1[0].contains("ingressroute team-a/front: service team-b/web not in the parent resource namespace team-a"),
        "{refused:?}"
    );
    assert_eq!(client::get(web, "x", "/own").await.status, 200);
    assert_eq!(client::get(web, "x", "/other").await.status, 404);

    // Allowing it is a provider setting: applied by an install reload.
    let report = proxy.reload_install(&providers(true)).await;
    assert!(report.failed.is_empty(), "{report:?}");
    until_body(web, "x", "/other", "Name: shared").await;
    proxy.shutdown().await;
}

#[tokio::test]
async fn namespaces_and_label_selector_scope_manifests_as_an_api_server_would() {
    let app = upstream::whoami("scoped").await;
    let dir = tempfile::tempdir().unwrap();
    let route = |ns: &str, name: &str, labels: &str, path: &str| {
        format!(
            "apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {{name: {name}, namespace: {ns}, labels: {{{labels}}}}}
spec:
  routes: [{{match: Path(`{path}`), services: [{{name: web, port: 80}}]}}]
"
        )
    };
    let text = [
        route("shop", "labelled", "app: shop", "/labelled"),
        route("shop", "unlabelled", "", "/unlabelled"),
        route("other", "elsewhere", "app: shop", "/elsewhere"),
        service("shop", "web", &[app.addr()]),
        service("other", "web", &[app.addr()]),
    ]
    .join("---\n");
    write(dir.path(), "all.yaml", &text);
    let proxy = proxy::builder()
        .install(&install(&format!(
            "kubernetesCRD:\n  namespaces: [shop]\n  labelSelector: app=shop\n  manifests: [\"{}\"]",
            dir.path().display()
        )))
        .start()
        .await;
    let web = proxy.addr("web");
    assert_eq!(client::get(web, "x", "/labelled").await.status, 200);
    assert_eq!(client::get(web, "x", "/unlabelled").await.status, 404);
    assert_eq!(client::get(web, "x", "/elsewhere").await.status, 404);
    assert_eq!(proxy.status().routers.len(), 1);
    proxy.shutdown().await;
}

#[tokio::test]
async fn the_example_in_config_validates_and_serves() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let app = upstream::whoami("example").await;
    let dir = tempfile::tempdir().unwrap();
    // The example's manifests, pointed at this test's backend.
    let text =
        std::fs::read_to_string(root.join("config/examples/kubernetes/manifests/my-app.yaml"))
            .unwrap()
            .replace("port: 9000", &format!("port: {}", app.addr().port()));
    write(dir.path(), "my-app.yaml", &text);
    let static_config =
        std::fs::read_to_string(root.join("config/examples/kubernetes/portico.yaml")).unwrap();
    assert!(static_config.contains("- config/examples/kubernetes/manifests"));
    let proxy = proxy::builder()
        .install(&install(&format!(
            "kubernetesCRD:\n  manifests: [\"{}\"]",
            dir.path().display()
        )))
        .start()
        .await;
    let reply = client::get(proxy.addr("web"), "my-app.example.com", "/api/hello").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-served-by"), Some("portico"));
    proxy.shutdown().await;
}
