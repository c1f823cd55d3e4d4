//! Reads and writes through kube-rs: status patches, paging, errors,
//! credentials, YAML manifests and discovery.

use k8s_openapi::api::{
    core::v1::{Namespace, Service},
    networking::v1::{Ingress, IngressClass},
};
use kube::api::{
    ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams,
};

use super::*;

const INGRESS: &str = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: apps
spec:
  ingressClassName: portico
  rules:
  - host: web.test
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: { name: web, port: { number: 80 } }
"#;

#[tokio::test]
async fn patch_status_on_an_ingress_is_stored() {
    let fake = FakeKubeApi::start().await;
    fake.apply_yaml(INGRESS);
    let api: Api<Ingress> = Api::namespaced(client(&fake), "apps");
    let before = fake.resource_version();

    let status = json!({ "status": { "loadBalancer": { "ingress": [{ "ip": "192.0.2.10" }] } } });
    let patched = api
        .patch_status("web", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .expect("merge patch of the status");
    let ip = |ingress: &Ingress| {
        let lb = ingress
            .status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref());
        lb.and_then(|lb| lb.ingress.as_ref())
            .and_then(|i| i[0].ip.clone())
    };
    assert_eq!(ip(&patched).as_deref(), Some("192.0.2.10"));
    assert_eq!(
        fake.resource_version(),
        before + 1,
        "a status write bumps the version"
    );
    let stored = fake
        .get("networking.k8s.io/v1", "Ingress", Some("apps"), "web")
        .expect("stored");
    assert_eq!(
        stored["status"]["loadBalancer"]["ingress"][0]["ip"],
        "192.0.2.10"
    );
    assert_eq!(
        stored["spec"]["rules"][0]["host"], "web.test",
        "spec untouched"
    );
    assert_eq!(
        stored["metadata"]["generation"], 1,
        "a status write is no spec change"
    );

    // Server-side apply (as Portico may send it) is a merge patch here too.
    let apply = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "status": { "loadBalancer": { "ingress": [{ "hostname": "lb.test" }] } },
        "spec": { "ingressClassName": "ignored-on-status" },
    });
    api.patch_status("web", &PatchParams::apply("portico"), &Patch::Apply(&apply))
        .await
        .expect("apply patch of the status");
    let stored = fake
        .get("networking.k8s.io/v1", "Ingress", Some("apps"), "web")
        .expect("stored");
    assert_eq!(
        stored["status"]["loadBalancer"]["ingress"],
        json!([{ "hostname": "lb.test" }])
    );
    assert_eq!(
        stored["spec"]["ingressClassName"], "portico",
        "the status path writes only status"
    );

    // Re-applying the manifest keeps what the client wrote.
    fake.apply_yaml(&INGRESS.replace("web.test", "www.test"));
    let read = api.get_status("web").await.expect("get status");
    assert_eq!(
        read.spec.and_then(|s| s.rules).expect("rules")[0]
            .host
            .as_deref(),
        Some("www.test")
    );
    let lb = read
        .status
        .and_then(|s| s.load_balancer)
        .and_then(|l| l.ingress)
        .expect("kept");
    assert_eq!(lb[0].hostname.as_deref(), Some("lb.test"));

    // A replace from a stale version conflicts.
    let mut stale = patched;
    stale.status = None;
    let err = api
        .replace_status("web", &PostParams::default(), &stale)
        .await
        .expect_err("stale resourceVersion");
    assert_eq!(api_code(err), 409);
    let missing = api
        .patch_status("nope", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .expect_err("no such ingress");
    assert_eq!(api_code(missing), 404);
}

#[tokio::test]
async fn lists_page_with_limit_and_continue() {
    let fake = FakeKubeApi::start().await;
    for i in 0..5 {
        fake.apply(service(
            "default",
            &format!("s{i}"),
            json!({"app": "x"}),
            80,
        ));
    }
    let api: Api<Service> = Api::all(client(&fake));
    let mut names = Vec::new();
    let mut params = ListParams::default().limit(2);
    let mut pages = 0;
    loop {
        let page = api.list(&params).await.expect("page");
        pages += 1;
        assert!(page.items.len() <= 2);
        names.extend(page.items.iter().map(ResourceExt::name_any));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["s0", "s1", "s2", "s3", "s4"]);
}

#[tokio::test]
async fn missing_objects_and_unknown_resources_are_404_statuses() {
    let fake = FakeKubeApi::start().await;
    let client = client(&fake);
    let err = Api::<Service>::namespaced(client.clone(), "default")
        .get("missing")
        .await
        .expect_err("no such service");
    assert_eq!(api_code(err), 404);

    let gvk = GroupVersionKind::gvk("example.test", "v1", "Widget");
    let widgets: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::from_gvk_with_plural(&gvk, "widgets"),
    );
    let err = widgets
        .list(&ListParams::default())
        .await
        .expect_err("unknown");
    assert_eq!(api_code(err), 404);

    // Applying an object of a new kind makes it served.
    fake.apply(json!({
        "apiVersion": "example.test/v1", "kind": "Widget", "metadata": {"name": "w"}
    }));
    let list = widgets
        .list(&ListParams::default())
        .await
        .expect("now served");
    assert_eq!(
        list.items.iter().map(key).collect::<Vec<_>>(),
        ["default/w"]
    );
}

#[tokio::test]
async fn the_bearer_token_is_recorded() {
    let fake = FakeKubeApi::start().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = kube::Config::new(fake.url().parse().expect("uri"));
    config.auth_info.token = Some("s3cret".into());
    let client = Client::try_from(config).expect("client");
    assert_eq!(fake.last_authorization(), None, "no request yet");
    Api::<Service>::all(client)
        .list(&ListParams::default())
        .await
        .expect("list");
    assert_eq!(fake.last_authorization().as_deref(), Some("Bearer s3cret"));
}

#[tokio::test]
async fn apply_yaml_handles_documents_lists_and_cluster_scoped_kinds() {
    let fake = FakeKubeApi::start().await;
    fake.apply_yaml(
        r#"
---
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: IngressClass
  metadata: { name: portico }
  spec: { controller: portico.test/ingress }
- apiVersion: v1
  kind: Namespace
  metadata: { name: apps, namespace: ignored }
---
---
apiVersion: v1
kind: Service
metadata: { name: web }
"#,
    );
    let client = client(&fake);
    let class = Api::<IngressClass>::all(client.clone())
        .get("portico")
        .await
        .expect("cluster-scoped get");
    assert_eq!(
        class.spec.and_then(|s| s.controller).as_deref(),
        Some("portico.test/ingress")
    );
    let namespace = Api::<Namespace>::all(client.clone())
        .get("apps")
        .await
        .expect("namespace");
    assert_eq!(
        namespace.metadata.namespace, None,
        "cluster-scoped objects have no namespace"
    );
    let web = Api::<Service>::namespaced(client, "default")
        .get("web")
        .await
        .expect("service");
    assert_eq!(web.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(fake.resource_version(), 3, "one version per stored object");
    assert!(
        fake.get("v1", "Service", None, "web").is_some(),
        "namespace defaults"
    );
}

#[tokio::test]
async fn discovery_finds_the_served_kinds() {
    let fake = FakeKubeApi::start().await;
    let client = client(&fake);
    let version = client.apiserver_version().await.expect("version");
    assert_eq!(version.major, "1");
    for group in ["traefik.io", "traefik.containo.us"] {
        let gvk = GroupVersionKind::gvk(group, "v1alpha1", "TLSOption");
        let (resource, caps) = kube::discovery::pinned_kind(&client, &gvk)
            .await
            .expect("pinned kind");
        assert_eq!(resource.plural, "tlsoptions");
        assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
    }
    let gvk = GroupVersionKind::gvk("networking.k8s.io", "v1", "IngressClass");
    let (_, caps) = kube::discovery::pinned_kind(&client, &gvk)
        .await
        .expect("class");
    assert_eq!(caps.scope, kube::discovery::Scope::Cluster);
}

#[tokio::test]
async fn create_replace_patch_and_delete_through_the_api() {
    use kube::api::DeleteParams;

    let fake = FakeKubeApi::start().await;
    let api: Api<Service> = Api::namespaced(client(&fake), "apps");
    let manifest: Service =
        serde_json::from_value(service("apps", "web", json!({"app": "web"}), 80)).expect("service");

    let created = api
        .create(&PostParams::default(), &manifest)
        .await
        .expect("create");
    assert_eq!(created.resource_version().as_deref(), Some("1"));
    let again = api
        .create(&PostParams::default(), &manifest)
        .await
        .expect_err("exists");
    assert_eq!(api_code(again), 409);

    let mut replacement = created.clone();
    replacement
        .labels_mut()
        .insert("tier".into(), "front".into());
    replacement.status = Some(serde_json::from_value(json!({"loadBalancer": {}})).expect("status"));
    let replaced = api
        .replace("web", &PostParams::default(), &replacement)
        .await
        .expect("replace");
    assert_eq!(replaced.labels()["tier"], "front");
    assert!(
        replaced.status.is_none(),
        "status is written only through /status"
    );
    let stale = api
        .replace("web", &PostParams::default(), &created)
        .await
        .expect_err("stale");
    assert_eq!(api_code(stale), 409);

    let patch = json!({"metadata": {"labels": {"app": null, "new": "yes"}}});
    let patched = api
        .patch("web", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("merge patch");
    let labels: Vec<(&String, &String)> = patched.labels().iter().collect();
    assert_eq!(
        labels,
        [
            (&"new".to_owned(), &"yes".to_owned()),
            (&"tier".to_owned(), &"front".to_owned())
        ]
    );

    let by_name = api
        .list(&ListParams::default().fields("metadata.name=web"))
        .await
        .expect("field selector");
    assert_eq!(by_name.items.len(), 1);
    let none = api
        .list(&ListParams::default().fields("metadata.name=other"))
        .await
        .expect("field selector");
    assert!(none.items.is_empty());

    let deleted = api
        .delete("web", &DeleteParams::default())
        .await
        .expect("delete");
    let object = deleted.left().expect("the deleted object");
    assert_eq!(object.labels()["new"], "yes");
    assert!(fake.get("v1", "Service", Some("apps"), "web").is_none());
    let gone = api
        .delete("web", &DeleteParams::default())
        .await
        .expect_err("gone");
    assert_eq!(api_code(gone), 404);
}
