use crate::{
    Format,
    model::{QualifiedName, RoutingModel, ServiceSpec},
    parse_routing,
    validate::{routing, service_graph},
};

/// Validates `http` (YAML below `http:`) as `provider`'s configuration.
fn provider(name: &str, http: &str) -> RoutingModel {
    let indented: String = http.lines().map(|l| format!("  {l}\n")).collect();
    let raw = parse_routing(&format!("http:\n{indented}"), Format::Yaml, "t.yaml").unwrap();
    routing(name, &raw, &Default::default())
}

/// Merges the models, checks the graph, and returns `name@provider => errors`
/// (empty for a valid service).
fn check(models: Vec<RoutingModel>) -> Vec<(String, Vec<String>)> {
    let mut merged = RoutingModel::default();
    for m in models {
        merged.extend(m);
    }
    service_graph(&mut merged);
    let before = merged.services.clone();
    service_graph(&mut merged);
    assert_eq!(
        format!("{before:?}"),
        format!("{:?}", merged.services),
        "running it again changes nothing"
    );
    merged
        .services
        .into_iter()
        .map(|(q, r)| (q.to_string(), r.err().unwrap_or_default()))
        .collect()
}

fn errors_of<'a>(found: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
    &found
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no service {name}"))
        .1
}

const LEAF: &str = "loadBalancer:\n        servers:\n          - url: http://127.0.0.1:1\n";

#[test]
fn valid_references_stay_valid() {
    let found = check(vec![provider(
        "file",
        &format!(
            "services:\n  leaf:\n    {LEAF}  w:\n    weighted:\n      services:\n        - name: leaf\n        - name: m\n  m:\n    mirroring:\n      service: leaf\n      mirrors:\n        - name: leaf\n          percent: 5\n"
        ),
    )]);
    for (name, errors) in &found {
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    assert_eq!(found.len(), 3);
}

#[test]
fn unknown_services_and_transports_are_named() {
    let found = check(vec![provider(
        "file",
        "services:
  f:
    failover:
      service: gone
      fallback: lost@docker
  lb:
    loadBalancer:
      serversTransport: nope
  ok:
    loadBalancer:
      serversTransport: t
serversTransports:
  t: {}
",
    )]);
    assert_eq!(
        errors_of(&found, "f@file"),
        [
            "http.services.f.failover.service: unknown service gone@file",
            "http.services.f.failover.fallback: unknown service lost@docker",
        ]
    );
    assert_eq!(
        errors_of(&found, "lb@file"),
        ["http.services.lb.loadBalancer.serversTransport: unknown serversTransport nope@file"]
    );
    assert!(errors_of(&found, "ok@file").is_empty());
}

#[test]
fn an_invalid_transport_fails_its_services() {
    let found = check(vec![provider(
        "file",
        "services:\n  lb:\n    loadBalancer:\n      serversTransport: t\nserversTransports:\n  t:\n    maxIdleConnsPerHost: -1\n",
    )]);
    assert_eq!(
        errors_of(&found, "lb@file"),
        [
            "http.services.lb.loadBalancer.serversTransport: serversTransport t@file is invalid (http.serversTransports.t.maxIdleConnsPerHost: must not be negative, found -1)"
        ]
    );
}

#[test]
fn a_service_naming_itself_is_a_cycle() {
    let found = check(vec![provider(
        "file",
        "services:\n  w:\n    weighted:\n      services:\n        - name: w\n",
    )]);
    assert_eq!(
        errors_of(&found, "w@file"),
        ["http.services.w.weighted.services[0].name: reference cycle w@file -> w@file"]
    );
}

#[test]
fn two_and_three_cycles_through_different_kinds() {
    let found = check(vec![provider(
        "file",
        &format!(
            "services:
  a:
    weighted:
      services:
        - name: leaf
        - name: b
  b:
    failover:
      service: a
      fallback: leaf
  x:
    mirroring:
      service: y
  y:
    highestRandomWeight:
      services:
        - name: z
  z:
    failover:
      service: leaf
      fallback: x
  leaf:
    {LEAF}"
        ),
    )]);
    assert_eq!(
        errors_of(&found, "a@file"),
        ["http.services.a.weighted.services[1].name: reference cycle a@file -> b@file -> a@file"]
    );
    assert_eq!(
        errors_of(&found, "b@file"),
        ["http.services.b.failover.service: reference cycle b@file -> a@file -> b@file"]
    );
    assert_eq!(
        errors_of(&found, "x@file"),
        ["http.services.x.mirroring.service: reference cycle x@file -> y@file -> z@file -> x@file"]
    );
    assert_eq!(
        errors_of(&found, "y@file"),
        [
            "http.services.y.highestRandomWeight.services[0].name: reference cycle y@file -> z@file -> x@file -> y@file"
        ]
    );
    assert_eq!(
        errors_of(&found, "z@file"),
        ["http.services.z.failover.fallback: reference cycle z@file -> x@file -> y@file -> z@file"]
    );
    assert!(errors_of(&found, "leaf@file").is_empty());
}

#[test]
fn cycles_across_providers() {
    let found = check(vec![
        provider(
            "file",
            "services:\n  a:\n    failover:\n      service: b@docker\n      fallback: b@docker\n",
        ),
        provider(
            "docker",
            "services:\n  b:\n    weighted:\n      services:\n        - name: a@file\n",
        ),
    ]);
    assert_eq!(
        errors_of(&found, "a@file"),
        ["http.services.a.failover.service: reference cycle a@file -> b@docker -> a@file"]
    );
    assert_eq!(
        errors_of(&found, "b@docker"),
        [
            "http.services.b.weighted.services[0].name: reference cycle b@docker -> a@file -> b@docker"
        ]
    );
}

#[test]
fn references_across_providers_resolve_only_once_merged() {
    let file = || {
        provider(
            "file",
            "services:\n  w:\n    weighted:\n      services:\n        - name: api@docker\n",
        )
    };
    let docker = provider("docker", &format!("services:\n  api:\n    {LEAF}"));
    assert!(errors_of(&check(vec![file(), docker]), "w@file").is_empty());
    assert_eq!(
        errors_of(&check(vec![file()]), "w@file"),
        ["http.services.w.weighted.services[0].name: unknown service api@docker"]
    );
}

#[test]
fn failures_propagate_to_dependents_with_the_root_cause() {
    let found = check(vec![provider(
        "file",
        "services:
  top:
    weighted:
      services:
        - name: mid
        - name: broken
  mid:
    failover:
      service: broken
      fallback: loop
  broken:
    loadBalancer:
      servers:
        - url: ''
  loop:
    weighted:
      services:
        - name: loop
",
    )]);
    let broken = "http.services.broken.loadBalancer.servers[0].url: url is required";
    assert_eq!(errors_of(&found, "broken@file"), [broken]);
    assert_eq!(
        errors_of(&found, "mid@file"),
        [
            format!("http.services.mid.failover.service: service broken@file is invalid ({broken})"),
            "http.services.mid.failover.fallback: service loop@file is invalid (http.services.loop.weighted.services[0].name: reference cycle loop@file -> loop@file)".to_owned(),
        ]
    );
    assert_eq!(
        errors_of(&found, "top@file"),
        [
            format!(
                "http.services.top.weighted.services[0].name: service mid@file is invalid (through broken@file: {broken})"
            ),
            format!(
                "http.services.top.weighted.services[1].name: service broken@file is invalid ({broken})"
            ),
        ]
    );
}

#[test]
fn children_lists_every_reference() {
    let model = provider(
        "file",
        "services:\n  m:\n    mirroring:\n      service: a\n      mirrors:\n        - name: b\n          percent: 1\n  f:\n    failover:\n      service: c\n      fallback: d\n",
    );
    let children = |name: &str| -> Vec<String> {
        match &model.services[&QualifiedName::new(name, "file")] {
            Ok(spec @ (ServiceSpec::Mirroring(_) | ServiceSpec::Failover(_))) => {
                spec.children().iter().map(|q| q.to_string()).collect()
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(children("m"), ["a@file", "b@file"]);
    assert_eq!(children("f"), ["c@file", "d@file"]);
}
