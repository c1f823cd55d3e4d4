//! Which Ingresses are served.

use portico_config::model::{KubernetesClientSpec, KubernetesIngressSpec};
use serde_json::json;

use super::*;
use crate::ingress::served;

/// An IngressClass `name` of `controller`, the default class or not.
fn class(name: &str, controller: &str, default: bool) -> Value {
    let annotations = if default {
        json!({"ingressclass.kubernetes.io/is-default-class": "true"})
    } else {
        json!({})
    };
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
        "metadata": {"name": name, "annotations": annotations},
        "spec": {"controller": controller}})
}

/// Ingress `name` with `/<name>` to `service1`, with `annotations` and the
/// `ingressClassName` given.
fn classed(name: &str, annotations: Value, class_name: Option<&str>) -> Value {
    let mut spec =
        json!({"rules": [rule("", json!([path(&format!("/{name}"), "Prefix", "service1")]))]});
    if let Some(c) = class_name {
        spec["ingressClassName"] = json!(c);
    }
    ingress(name, annotations, spec)
}

fn annotation(class: &str) -> Value {
    json!({"kubernetes.io/ingress.class": class})
}

/// The names of the routers produced from `objects` (with `service1`).
fn served_names(spec: &KubernetesIngressSpec, objects: Vec<Value>) -> Vec<String> {
    let mut objects = objects;
    objects.extend(backend("service1"));
    routers(&run_with(spec, objects)).into_keys().collect()
}

fn with_class(class: &str) -> KubernetesIngressSpec {
    KubernetesIngressSpec {
        ingress_class: Some(class.to_owned()),
        ..KubernetesIngressSpec::default()
    }
}

#[test]
fn without_configured_class_serves_classless_and_traefik_annotated() {
    // "Ingress with default traefik ingressClass" (annotation `traefik`) and
    // "Ingress without provider traefik ingressClass and unknown annotation".
    let names = served_names(
        &KubernetesIngressSpec::default(),
        vec![
            classed("plain", json!({}), None),
            classed("traefik", annotation("traefik"), None),
            classed("nginx", annotation("nginx"), None),
        ],
    );
    assert_eq!(names, ["testing-plain-plain", "testing-traefik-traefik"]);
}

#[test]
fn configured_class_needs_the_annotation() {
    // "Ingress with ingressClass without annotation" (ingressClass tchouk) and
    // "Ingress with non matching provider traefik ingressClass and annotation".
    let names = served_names(
        &with_class("tchouk"),
        vec![
            classed("plain", json!({}), None),
            classed("traefik", annotation("traefik"), None),
            classed("tchouk", annotation("tchouk"), None),
        ],
    );
    assert_eq!(names, ["testing-tchouk-tchouk"]);
}

#[test]
fn ingress_class_name_must_name_a_class_of_traefiks_controller() {
    // "Ingress with ingressClass", "Ingress with missing ingressClass".
    let names = served_names(
        &KubernetesIngressSpec::default(),
        vec![
            class("traefik-lb", "traefik.io/ingress-controller", false),
            class("nginx", "k8s.io/ingress-nginx", false),
            classed("ours", json!({}), Some("traefik-lb")),
            classed("theirs", json!({}), Some("nginx")),
            classed("missing", json!({}), Some("absent")),
            // The class name wins over an annotation.
            classed("both", annotation("traefik"), Some("nginx")),
        ],
    );
    assert_eq!(names, ["testing-ours-ours"]);
}

#[test]
fn configured_class_filters_ingress_classes() {
    // "Ingress with ingressClasses filter" (ingressClass traefik-lb2).
    let names = served_names(
        &with_class("traefik-lb2"),
        vec![
            class("traefik-lb", "traefik.io/ingress-controller", false),
            class("traefik-lb2", "traefik.io/ingress-controller", false),
            classed("foo", json!({}), Some("traefik-lb2")),
            classed("bar", json!({}), Some("traefik-lb")),
        ],
    );
    assert_eq!(names, ["testing-foo-foo"]);
}

#[test]
fn disabled_lookup_ignores_class_names_but_not_annotations() {
    // The two "disableIngressClassLookup" duplicates of Traefik's cases.
    let spec = KubernetesIngressSpec {
        disable_ingress_class_lookup: true,
        ..KubernetesIngressSpec::default()
    };
    let names = served_names(
        &spec,
        vec![
            class("traefik-lb", "traefik.io/ingress-controller", true),
            classed("named", json!({}), Some("traefik-lb")),
            classed("annotated", annotation("traefik"), None),
        ],
    );
    assert_eq!(names, ["testing-annotated-annotated"]);
}

#[test]
fn classless_ingress_takes_the_default_class_when_it_is_ours() {
    let objects = |default_controller: &str| {
        vec![
            class("traefik-lb", default_controller, true),
            classed("plain", json!({}), None),
        ]
    };
    let ours = served_names(
        &with_class("traefik-lb"),
        objects("traefik.io/ingress-controller"),
    );
    assert_eq!(ours, ["testing-plain-plain"]);
    let theirs = served_names(&with_class("traefik-lb"), objects("k8s.io/ingress-nginx"));
    assert!(theirs.is_empty());
    // Two default classes: none is the default.
    let mut two = objects("traefik.io/ingress-controller");
    two.push(class("other", "traefik.io/ingress-controller", true));
    assert!(served_names(&with_class("traefik-lb"), two).is_empty());
}

#[test]
fn namespaces_filter_ingresses() {
    let spec = KubernetesIngressSpec {
        client: KubernetesClientSpec {
            namespaces: vec!["elsewhere".to_owned()],
            ..KubernetesClientSpec::default()
        },
        ..KubernetesIngressSpec::default()
    };
    assert!(served_names(&spec, vec![classed("plain", json!({}), None)]).is_empty());
    let spec = KubernetesIngressSpec {
        client: KubernetesClientSpec {
            namespaces: vec!["elsewhere".to_owned(), "testing".to_owned()],
            ..KubernetesClientSpec::default()
        },
        ..KubernetesIngressSpec::default()
    };
    assert_eq!(
        served_names(&spec, vec![classed("plain", json!({}), None)]).len(),
        1
    );
}

#[test]
fn served_lists_ingresses_with_rules() {
    let mut objects = vec![
        classed("plain", json!({}), None),
        classed("nginx", annotation("nginx"), None),
        classed(
            "broken",
            json!({"traefik.ingress.kubernetes.io/router.priority": "high"}),
            None,
        ),
        ingress(
            "fallback",
            json!({}),
            json!({"defaultBackend": {"service": {"name": "service1", "port": {"number": 80}}}}),
        ),
    ];
    objects.extend(backend("service1"));
    let c = cluster(objects);
    assert_eq!(
        served(&c, &KubernetesIngressSpec::default()),
        [("testing".to_owned(), "plain".to_owned())]
    );
}

#[test]
fn unreadable_ingress_is_a_warning() {
    let t = run([
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "broken", "namespace": "testing"},
        "spec": {"rules": "not a list"}}),
    ]);
    assert_eq!(t.warnings.len(), 1);
    assert!(
        t.warnings[0].starts_with("ingress testing/broken: "),
        "{:?}",
        t.warnings
    );
}
