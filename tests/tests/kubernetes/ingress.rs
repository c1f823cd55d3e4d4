//! `providers.kubernetesIngress`: networking.k8s.io/v1 Ingresses served through
//! their IngressClass, with Traefik's annotations, and their status written back.

use portico_test_support::{FakeKubeApi, client, proxy, upstream};

use super::*;

/// An IngressClass for Traefik's controller and an Ingress `name` sending
/// `host` + `/` (Prefix) to Service `web`, with `annotations` (YAML map body).
fn ingress(name: &str, host: &str, annotations: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {{name: portico}}
spec: {{controller: traefik.io/ingress-controller}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: default
  annotations: {{{annotations}}}
spec:
  ingressClassName: portico
  rules:
    - host: {host}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {{name: web, port: {{number: 80}}}}
"
    )
}

#[tokio::test]
async fn ingresses_are_served_and_their_status_carries_the_published_address() {
    let api = FakeKubeApi::start().await;
    let app = upstream::whoami("ingress-backend").await;
    api.apply_yaml(&ingress("site", "site.example.com", ""));
    api.apply_yaml(&service("default", "web", &[app.addr()]));
    // An Ingress of another controller's class is not served.
    api.apply_yaml(
        "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: foreign, namespace: default}
spec:
  ingressClassName: nginx
  rules: [{host: foreign.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
",
    );
    let proxy = proxy::builder()
        .install(&install(&format!(
            "kubernetesIngress:\n  endpoint: \"{}\"\n  ingressEndpoint: {{ip: 192.0.2.10}}",
            api.url()
        )))
        .start()
        .await;
    let web = proxy.addr("web");
    until_body(
        web,
        "site.example.com",
        "/anything",
        "Name: ingress-backend",
    )
    .await;
    assert_eq!(
        client::get(web, "foreign.example.com", "/").await.status,
        404
    );
    let status = proxy.status();
    assert!(
        status.routers.keys().all(|r| r.ends_with("@kubernetes")),
        "{:?}",
        status.routers.keys()
    );

    within(DEADLINE, "Ingress status written", async {
        loop {
            let ingress = api
                .get("networking.k8s.io/v1", "Ingress", Some("default"), "site")
                .unwrap();
            if ingress["status"]["loadBalancer"]["ingress"][0]["ip"] == "192.0.2.10" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let foreign = api
        .get(
            "networking.k8s.io/v1",
            "Ingress",
            Some("default"),
            "foreign",
        )
        .unwrap();
    assert!(
        foreign["status"]["loadBalancer"]["ingress"].is_null(),
        "{foreign}"
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn ingress_annotations_use_crd_middlewares_from_manifests() {
    // Both providers at once, from manifests: the Ingress names a Middleware of
    // the CRD provider in an annotation.
    let app = upstream::whoami("annotated").await;
    let dir = tempfile::tempdir().unwrap();
    let middleware = "apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: strip, namespace: default}
spec: {stripPrefix: {prefixes: [/shop]}}
";
    let annotations = "traefik.ingress.kubernetes.io/router.middlewares: default-strip@kubernetescrd, \
                       traefik.ingress.kubernetes.io/router.entrypoints: web";
    let text = format!(
        "{}---\n{middleware}---\n{}",
        ingress("shop", "shop.example.com", annotations),
        service("default", "web", &[app.addr()])
    );
    write(dir.path(), "all.yaml", &text);
    let manifests = format!("manifests: [\"{}\"]", dir.path().display());
    let proxy = proxy::builder()
        .install(&install(&format!(
            "kubernetesIngress:\n  {manifests}\nkubernetesCRD:\n  {manifests}"
        )))
        .start()
        .await;
    let reply = client::get(proxy.addr("web"), "shop.example.com", "/shop/cart").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.text().contains("GET /cart "), "{}", reply.text());

    // A bad annotation disables that Ingress's router, with the reason.
    write(
        dir.path(),
        "all.yaml",
        &text.replace(
            "traefik.ingress.kubernetes.io/router.entrypoints: web",
            "traefik.ingress.kubernetes.io/router.priority: high",
        ),
    );
    let status = until_status(&proxy, "bad annotation reported", |s| {
        s.routers.values().any(|r| !r.enabled)
    })
    .await;
    let errors: Vec<&String> = status.routers.values().flat_map(|r| &r.errors).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("ingress default/shop") && e.contains("router.priority")),
        "{errors:?}"
    );
    proxy.shutdown().await;
}
