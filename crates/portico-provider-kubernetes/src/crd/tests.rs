use portico_config::{model::KubernetesCrdSpec, raw::routing::Service};
use serde_json::{Value, json};

use super::translate;
use crate::{cluster::Cluster, names, translation::Translation};

fn cluster(objects: &[Value]) -> Cluster {
    let mut c = Cluster::default();
    for o in objects {
        assert!(c.apply_value(o.clone()).unwrap(), "not read: {o}");
    }
    c
}

fn service(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
        "spec": {"ports": [{"name": "http", "port": 80}]}})
}

fn slice(ns: &str, service: &str, ip: &str) -> Value {
    json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": format!("{service}-x"), "namespace": ns,
            "labels": {"kubernetes.io/service-name": service}},
        "addressType": "IPv4", "ports": [{"name": "http", "port": 8080}],
        "endpoints": [{"addresses": [ip]}]})
}

fn route(group: &str, ns: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": group, "kind": "IngressRoute",
        "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn services(t: &Translation) -> &std::collections::BTreeMap<String, Service> {
    t.config.http.as_ref().unwrap().services.as_ref().unwrap()
}

fn urls(t: &Translation, name: &str) -> Vec<String> {
    let lb = services(t)[name]
        .load_balancer
        .as_ref()
        .expect("a load balancer");
    lb.servers
        .iter()
        .flatten()
        .filter_map(|s| s.url.clone())
        .collect()
}

const IO: &str = "traefik.io/v1alpha1";
const LEGACY: &str = "traefik.containo.us/v1alpha1";

#[test]
fn the_seed_ingress_route_in_both_groups() {
    for group in [IO, LEGACY] {
        let c = cluster(&[
            route(
                group,
                "default",
                "my-app",
                json!({
                "entryPoints": ["web", "websecure"],
                "routes": [{"match": "Host(`my-app.example.com`) && PathPrefix(`/api`)", "kind": "Rule",
                    "services": [{"name": "my-app-service", "port": 80}]}]}),
            ),
            service("default", "my-app-service"),
            slice("default", "my-app-service", "127.0.0.1"),
        ]);
        let t = translate(&c, &KubernetesCrdSpec::default());
        let name = names::route_key(
            "default",
            "my-app",
            "Host(`my-app.example.com`) && PathPrefix(`/api`)",
        );
        let routers = t.config.http.as_ref().unwrap().routers.as_ref().unwrap();
        let router = &routers[&name];
        assert_eq!(
            router.entry_points.as_deref(),
            Some(&["web".to_owned(), "websecure".to_owned()][..])
        );
        assert_eq!(router.service.as_deref(), Some(name.as_str()));
        assert_eq!(urls(&t, &name), ["http://127.0.0.1:8080"]);
        let lb = services(&t)[&name].load_balancer.as_ref().unwrap();
        assert_eq!(lb.pass_host_header, Some(true));
        assert!(t.failed.routers.is_empty(), "{:?}", t.failed);
    }
}

#[test]
fn router_names_match_traefiks() {
    // pkg/provider/kubernetes/crd/kubernetes_test.go "Simple Ingress Route, with foo entrypoint"
    assert_eq!(
        names::route_key(
            "default",
            "test.route",
            "Host(`foo.com`) && PathPrefix(`/bar`)"
        ),
        "default-test-route-6b204d94623b3df4370c"
    );
}

#[test]
fn several_services_make_an_implicit_weighted_service() {
    let c = cluster(&[
        route(
            IO,
            "ns",
            "r",
            json!({"routes": [{"match": "Path(`/`)", "services": [
            {"name": "a", "port": 80, "weight": 3}, {"name": "b", "port": "http"}]}]}),
        ),
        service("ns", "a"),
        slice("ns", "a", "10.0.0.1"),
        service("ns", "b"),
        slice("ns", "b", "10.0.0.2"),
    ]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let name = names::route_key("ns", "r", "Path(`/`)");
    let weighted = services(&t)[&name].weighted.as_ref().unwrap();
    let children: Vec<(String, i64)> = weighted
        .services
        .iter()
        .flatten()
        .map(|s| (s.name.clone().unwrap(), s.weight.unwrap()))
        .collect();
    assert_eq!(
        children,
        [("ns-a-80".to_owned(), 3), ("ns-b-http".to_owned(), 1)]
    );
    assert_eq!(urls(&t, "ns-a-80"), ["http://10.0.0.1:8080"]);
    assert_eq!(urls(&t, "ns-b-http"), ["http://10.0.0.2:8080"]);
}

#[test]
fn cross_namespace_references_are_refused_unless_allowed() {
    let objects = [
        route(
            IO,
            "a",
            "r",
            json!({"routes": [
            {"match": "Path(`/svc`)", "services": [{"name": "web", "namespace": "b", "port": 80}]},
            {"match": "Path(`/mw`)", "services": [{"name": "web", "port": 80}],
             "middlewares": [{"name": "strip", "namespace": "b"}]}]}),
        ),
        service("a", "web"),
        slice("a", "web", "10.0.0.1"),
        service("b", "web"),
        slice("b", "web", "10.0.0.2"),
        json!({"apiVersion": IO, "kind": "Middleware", "metadata": {"name": "strip", "namespace": "b"},
            "spec": {"stripPrefix": {"prefixes": ["/x"]}}}),
    ];
    let c = cluster(&objects);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let svc = names::route_key("a", "r", "Path(`/svc`)");
    let mw = names::route_key("a", "r", "Path(`/mw`)");
    assert!(
        t.failed.routers[&svc][0].contains("service b/web not in the parent resource namespace a"),
        "{:?}",
        t.failed
    );
    assert!(
        t.failed.routers[&mw][0]
            .contains("middleware b/strip is not in the IngressRoute namespace a")
    );
    let allowed = translate(
        &c,
        &KubernetesCrdSpec {
            allow_cross_namespace: true,
            ..Default::default()
        },
    );
    assert!(allowed.failed.routers.is_empty(), "{:?}", allowed.failed);
    let routers = allowed
        .config
        .http
        .as_ref()
        .unwrap()
        .routers
        .as_ref()
        .unwrap();
    assert_eq!(
        routers[&mw].middlewares.as_deref(),
        Some(&["b-strip".to_owned()][..])
    );
    assert_eq!(urls(&allowed, &svc), ["http://10.0.0.2:8080"]);
}

#[test]
fn a_missing_service_fails_only_its_route() {
    let c = cluster(&[
        route(
            IO,
            "d",
            "r",
            json!({"routes": [
            {"match": "Path(`/ok`)", "services": [{"name": "web", "port": 80}]},
            {"match": "Path(`/bad`)", "services": [{"name": "gone", "port": 80}]}]}),
        ),
        service("d", "web"),
        slice("d", "web", "10.0.0.1"),
    ]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let bad = names::route_key("d", "r", "Path(`/bad`)");
    assert_eq!(
        t.failed.routers[&bad],
        ["ingressroute d/r: kubernetes service not found: d/gone"]
    );
    let routers = t.config.http.as_ref().unwrap().routers.as_ref().unwrap();
    assert!(routers.contains_key(&names::route_key("d", "r", "Path(`/ok`)")));
    assert!(!routers.contains_key(&bad));
}

#[test]
fn an_object_that_does_not_parse_is_reported_by_name() {
    let c = cluster(&[route(
        IO,
        "d",
        "broken",
        json!({"routes": [{"kind": "Rule"}]}),
    )]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let reason = &t.failed.routers["d-broken"][0];
    assert!(
        reason.starts_with("ingressroute d/broken: spec.routes[0]"),
        "{reason}"
    );
    assert!(reason.contains("match"), "{reason}");
}

#[test]
fn traefik_services_of_every_kind() {
    let ts = |name: &str, spec: Value| {
        json!({"apiVersion": IO, "kind": "TraefikService",
        "metadata": {"name": name, "namespace": "d"}, "spec": spec})
    };
    let c = cluster(&[
        service("d", "a"),
        slice("d", "a", "10.0.0.1"),
        service("d", "b"),
        slice("d", "b", "10.0.0.2"),
        ts(
            "wrr",
            json!({"weighted": {"services": [{"name": "a", "port": 80, "weight": 2},
            {"name": "mirror", "kind": "TraefikService"}]}}),
        ),
        ts(
            "mirror",
            json!({"mirroring": {"name": "a", "port": 80, "mirrors": [{"name": "b", "port": 80, "percent": 10}]}}),
        ),
        ts(
            "hrw",
            json!({"highestRandomWeight": {"services": [{"name": "a", "port": 80}]}}),
        ),
        ts(
            "fo",
            json!({"failover": {"service": {"name": "a", "port": 80}, "fallback": {"name": "b", "port": 80}}}),
        ),
        ts("none", json!({})),
        route(
            IO,
            "d",
            "r",
            json!({"routes": [{"match": "Path(`/`)", "services": [{"name": "wrr", "kind": "TraefikService"}]}]}),
        ),
    ]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let s = services(&t);
    let wrr: Vec<_> = s["d-wrr"]
        .weighted
        .as_ref()
        .unwrap()
        .services
        .iter()
        .flatten()
        .map(|w| w.name.clone().unwrap())
        .collect();
    assert_eq!(wrr, ["d-a-80", "d-mirror"]);
    let mirroring = s["d-mirror"].mirroring.as_ref().unwrap();
    assert_eq!(mirroring.service.as_deref(), Some("d-a-80"));
    assert_eq!(mirroring.mirrors.as_ref().unwrap()[0].percent, Some(10));
    assert!(s["d-hrw"].highest_random_weight.is_some());
    assert_eq!(
        s["d-fo"].failover.as_ref().unwrap().fallback.as_deref(),
        Some("d-b-80")
    );
    assert_eq!(
        t.failed.services["d-none"],
        ["traefikservice d/none: unspecified service type"]
    );
    let routers = t.config.http.as_ref().unwrap().routers.as_ref().unwrap();
    assert_eq!(
        routers[&names::route_key("d", "r", "Path(`/`)")]
            .service
            .as_deref(),
        Some("d-wrr")
    );
}

#[test]
fn other_providers_services_are_referenced_as_given() {
    let c = cluster(&[route(
        IO,
        "d",
        "r",
        json!({"routes": [
        {"match": "Path(`/api`)", "services": [{"name": "api@internal", "kind": "TraefikService"}]},
        {"match": "Path(`/f`)", "services": [{"name": "svc@file", "kind": "TraefikService"}]},
        {"match": "Path(`/k`)", "services": [{"name": "wrr@kubernetescrd", "kind": "TraefikService"}]}]}),
    )]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let routers = t.config.http.as_ref().unwrap().routers.as_ref().unwrap();
    let service_of = |rule: &str| {
        routers[&names::route_key("d", "r", rule)]
            .service
            .clone()
            .unwrap()
    };
    assert_eq!(service_of("Path(`/api`)"), "api@internal");
    assert_eq!(service_of("Path(`/f`)"), "svc@file");
    assert_eq!(service_of("Path(`/k`)"), "d-wrr");
}

#[test]
fn middlewares_read_secrets_and_references() {
    let c = cluster(&[
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "users", "namespace": "d"},
            "stringData": {"users": "alice:$apr1$x$y\n\n bob:{SHA}z \n"}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "basic", "namespace": "d"},
            "type": "kubernetes.io/basic-auth", "stringData": {"username": "carol", "password": "secret"}}),
        json!({"apiVersion": IO, "kind": "Middleware", "metadata": {"name": "auth", "namespace": "d"},
            "spec": {"basicAuth": {"secret": "users", "realm": "r"}}}),
        json!({"apiVersion": IO, "kind": "Middleware", "metadata": {"name": "auth2", "namespace": "d"},
            "spec": {"basicAuth": {"secret": "basic"}}}),
        json!({"apiVersion": IO, "kind": "Middleware", "metadata": {"name": "chain", "namespace": "d"},
            "spec": {"chain": {"middlewares": [{"name": "auth"}, {"name": "x@file"}]}}}),
        json!({"apiVersion": IO, "kind": "Middleware", "metadata": {"name": "nosecret", "namespace": "d"},
            "spec": {"basicAuth": {"secret": "gone"}}}),
        json!({"apiVersion": IO, "kind": "Middleware", "metadata": {"name": "typo", "namespace": "d"},
            "spec": {"stripPrefix": {"prefix": ["/a"]}}}),
        json!({"apiVersion": IO, "kind": "Middleware", "metadata": {"name": "err", "namespace": "d"},
            "spec": {"errors": {"status": ["500-599"], "query": "/{status}.html", "service": {"name": "web", "port": 80}}}}),
        service("d", "web"),
        slice("d", "web", "10.0.0.9"),
    ]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let mws = t
        .config
        .http
        .as_ref()
        .unwrap()
        .middlewares
        .as_ref()
        .unwrap();
    let users = mws["d-auth"]
        .basic_auth
        .as_ref()
        .unwrap()
        .users
        .clone()
        .unwrap();
    assert_eq!(users, ["alice:$apr1$x$y", "bob:{SHA}z"]);
    // base64(sha1("secret"))
    assert_eq!(
        mws["d-auth2"]
            .basic_auth
            .as_ref()
            .unwrap()
            .users
            .as_ref()
            .unwrap()[0],
        "carol:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="
    );
    assert_eq!(
        mws["d-chain"]
            .chain
            .as_ref()
            .unwrap()
            .middlewares
            .as_deref(),
        Some(&["d-auth".to_owned(), "x@file".to_owned()][..])
    );
    assert_eq!(
        t.failed.middlewares["d-nosecret"],
        ["middleware d/nosecret: basicAuth.secret: secret d/gone not found"]
    );
    let typo = &t.failed.middlewares["d-typo"][0];
    assert!(
        typo.contains("spec.stripPrefix") && typo.contains("prefix"),
        "{typo}"
    );
    assert_eq!(
        mws["d-err"].errors.as_ref().unwrap().service.as_deref(),
        Some("d-err-errorpage-service")
    );
    assert_eq!(
        urls(&t, "d-err-errorpage-service"),
        ["http://10.0.0.9:8080"]
    );
}

#[test]
fn tls_from_secrets_options_and_the_default_store() {
    let secret = |name: &str, data: Value| {
        json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": name, "namespace": "d"}, "type": "kubernetes.io/tls", "stringData": data})
    };
    let c = cluster(&[
        secret("site", json!({"tls.crt": "CERT", "tls.key": "KEY"})),
        secret("store-cert", json!({"tls.crt": "C2", "tls.key": "K2"})),
        secret("ca", json!({"ca.crt": "CA"})),
        json!({"apiVersion": IO, "kind": "TLSOption", "metadata": {"name": "strict", "namespace": "d"},
            "spec": {"minVersion": "VersionTLS12", "sniStrict": true,
                "clientAuth": {"secretNames": ["ca"], "clientAuthType": "RequireAndVerifyClientCert"}}}),
        json!({"apiVersion": IO, "kind": "TLSStore", "metadata": {"name": "default", "namespace": "d"},
            "spec": {"defaultCertificate": {"secretName": "store-cert"}}}),
        route(
            IO,
            "d",
            "r",
            json!({"routes": [{"match": "Host(`a.test`)"}],
            "tls": {"secretName": "site", "options": {"name": "strict"}}}),
        ),
        route(
            IO,
            "d",
            "nosecret",
            json!({"routes": [{"match": "Host(`b.test`)"}], "tls": {"secretName": "gone"}}),
        ),
    ]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let tls = t.config.tls.as_ref().unwrap();
    let certs = tls.certificates.as_ref().unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].cert_file.as_deref(), Some("CERT"));
    let options = &tls.options.as_ref().unwrap()["d-strict"];
    assert_eq!(
        options.client_auth.as_ref().unwrap().ca_files.as_deref(),
        Some(&["CA".to_owned()][..])
    );
    assert_eq!(options.sni_strict, Some(true));
    let store = &tls.stores.as_ref().unwrap()["default"];
    assert_eq!(
        store
            .default_certificate
            .as_ref()
            .unwrap()
            .cert_file
            .as_deref(),
        Some("C2")
    );
    let routers = t.config.http.as_ref().unwrap().routers.as_ref().unwrap();
    let router = &routers[&names::route_key("d", "r", "Host(`a.test`)")];
    assert_eq!(
        router.tls.as_ref().unwrap().options.as_deref(),
        Some("d-strict")
    );
    assert!(
        t.warnings
            .iter()
            .any(|w| w.contains("secret d/gone not found")),
        "{:?}",
        t.warnings
    );
}

#[test]
fn servers_transports_read_their_secrets() {
    let c = cluster(&[
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ca", "namespace": "d"},
            "stringData": {"tls.ca": "CA"}}),
        json!({"apiVersion": IO, "kind": "ServersTransport", "metadata": {"name": "st", "namespace": "d"},
            "spec": {"serverName": "backend", "rootCAs": [{"secret": "ca"}], "insecureSkipVerify": false}}),
        json!({"apiVersion": IO, "kind": "ServersTransport", "metadata": {"name": "bad", "namespace": "d"},
            "spec": {"rootCAs": [{"configMap": "x"}]}}),
        route(
            IO,
            "d",
            "r",
            json!({"routes": [{"match": "Path(`/`)",
            "services": [{"name": "web", "port": 80, "serversTransport": "st"}]}]}),
        ),
        service("d", "web"),
        slice("d", "web", "10.0.0.1"),
    ]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    let transports = t
        .config
        .http
        .as_ref()
        .unwrap()
        .servers_transports
        .as_ref()
        .unwrap();
    assert_eq!(
        transports["d-st"].root_cas.as_deref(),
        Some(&["CA".to_owned()][..])
    );
    assert!(!transports.contains_key("d-bad"));
    assert!(
        t.warnings
            .iter()
            .any(|w| w.contains("serverstransport d/bad"))
    );
    let name = names::route_key("d", "r", "Path(`/`)");
    assert_eq!(
        services(&t)[&name]
            .load_balancer
            .as_ref()
            .unwrap()
            .servers_transport
            .as_deref(),
        Some("d-st")
    );
}

#[test]
fn ingress_class_filters_objects() {
    let mut annotated = route(
        IO,
        "d",
        "mine",
        json!({"routes": [{"match": "Path(`/m`)"}]}),
    );
    annotated["metadata"]["annotations"] = json!({"kubernetes.io/ingress.class": "portico"});
    let c = cluster(&[
        annotated,
        route(
            IO,
            "d",
            "by-field",
            json!({"ingressClassName": "portico", "routes": [{"match": "Path(`/f`)"}]}),
        ),
        route(
            IO,
            "d",
            "other",
            json!({"routes": [{"match": "Path(`/o`)"}]}),
        ),
    ]);
    let spec = KubernetesCrdSpec {
        ingress_class: Some("portico".into()),
        ..Default::default()
    };
    let t = translate(&c, &spec);
    let routers: Vec<&String> = t
        .config
        .http
        .as_ref()
        .unwrap()
        .routers
        .as_ref()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(routers.len(), 2);
    assert!(
        routers
            .iter()
            .all(|r| r.starts_with("d-mine-") || r.starts_with("d-by-field-"))
    );
}

#[test]
fn tcp_and_udp_kinds_are_reported_not_routed() {
    let c = cluster(&[json!({"apiVersion": IO, "kind": "IngressRouteTCP",
        "metadata": {"name": "t", "namespace": "d"}, "spec": {"routes": []}})]);
    let t = translate(&c, &KubernetesCrdSpec::default());
    assert!(
        t.warnings
            .iter()
            .any(|w| w.contains("IngressRouteTCP d/t") && w.contains("not supported"))
    );
}
