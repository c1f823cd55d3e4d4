use portico_config::model::{LoadBalancerSpec, RouterSpec, ServerSpec, ServiceSpec};
use portico_proxy::TransportSettings;
use portico_rules::{Rule, Syntax};

use super::*;

fn router(rule: &str, service: &str, eps: Option<&[&str]>) -> Result<RouterSpec, Vec<String>> {
    let rule = Rule::parse(rule, Syntax::V3).map_err(|e| vec![e.to_string()])?;
    Ok(RouterSpec {
        priority: rule.default_priority(),
        rule,
        entry_points: eps.map(|e| e.iter().map(|s| (*s).to_owned()).collect()),
        middlewares: Vec::new(),
        service: QualifiedName::resolve(service, "file"),
        tls: None,
        warnings: Vec::new(),
    })
}

fn lb(urls: &[&str]) -> Result<ServiceSpec, Vec<String>> {
    Ok(ServiceSpec::LoadBalancer(LoadBalancerSpec {
        servers: urls
            .iter()
            .map(|u| ServerSpec {
                url: (*u).to_owned(),
                weight: 1,
                preserve_path: false,
            })
            .collect(),
        ..LoadBalancerSpec::default()
    }))
}

fn compiler() -> Compiler {
    Compiler::new(Transport::new(&TransportSettings::default()).unwrap())
}

fn q(name: &str) -> QualifiedName {
    QualifiedName::resolve(name, "file")
}

#[tokio::test]
async fn routers_attach_to_default_or_named_entrypoints() {
    let eps = EntryPointSet::new([("web", false), ("websecure", false)]);
    let mut model = RoutingModel::default();
    model.services.insert(q("svc"), lb(&["http://127.0.0.1:1"]));
    model
        .routers
        .insert(q("all"), router("Host(`a`)", "svc", None));
    model
        .routers
        .insert(q("one"), router("Host(`b`)", "svc", Some(&["websecure"])));
    let compiled = compiler().compile(&model, &eps);
    assert_eq!(compiled.tables["web"].len(), 1);
    assert_eq!(compiled.tables["websecure"].len(), 2);
    assert!(compiled.status.routers["all@file"].enabled);
    assert_eq!(
        compiled.status.routers["one@file"].entry_points,
        ["websecure"]
    );
    assert_eq!(compiled.status.services["svc@file"].used_by.len(), 2);
}

#[tokio::test]
async fn bad_routers_are_disabled_alone_with_reasons() {
    let eps = EntryPointSet::new([("web", false)]);
    let mut model = RoutingModel::default();
    model.services.insert(q("svc"), lb(&["http://127.0.0.1:1"]));
    model.services.insert(q("broken"), lb(&["ftp://x"]));
    model
        .routers
        .insert(q("ok"), router("Host(`a`)", "svc", None));
    model
        .routers
        .insert(q("missing"), router("Host(`b`)", "nope", None));
    model
        .routers
        .insert(q("invalid-svc"), router("Host(`c`)", "broken", None));
    model
        .routers
        .insert(q("bad-ep"), router("Host(`d`)", "svc", Some(&["nowhere"])));
    model
        .routers
        .insert(q("bad-rule"), Err(vec!["rule: unexpected end".into()]));
    let compiled = compiler().compile(&model, &eps);
    assert_eq!(compiled.tables["web"].len(), 1);
    let s = &compiled.status;
    assert!(s.routers["ok@file"].enabled);
    assert!(s.routers["missing@file"].errors[0].contains("\"nope@file\" does not exist"));
    assert!(s.routers["invalid-svc@file"].errors[0].contains("invalid"));
    assert!(s.services["broken@file"].errors[0].contains("ftp"));
    assert!(
        s.routers["bad-ep@file"]
            .errors
            .iter()
            .any(|e| e.contains("\"nowhere\""))
    );
    assert!(!s.routers["bad-rule@file"].enabled);
    assert_eq!(s.enabled_routers(), 1);
    assert_eq!(s.problems().len(), 6, "{:#?}", s.problems());
}

#[tokio::test]
async fn unchanged_services_are_reused_across_compilations() {
    let eps = EntryPointSet::new([("web", false)]);
    let mut model = RoutingModel::default();
    model
        .services
        .insert(q("keep"), lb(&["http://127.0.0.1:1"]));
    model
        .services
        .insert(q("change"), lb(&["http://127.0.0.1:2"]));
    let mut compiler = compiler();
    compiler.compile(&model, &eps);
    let keep = compiler.services[&q("keep")].clone();
    let change = compiler.services[&q("change")].clone();
    model
        .services
        .insert(q("change"), lb(&["http://127.0.0.1:3"]));
    compiler.compile(&model, &eps);
    assert!(Arc::ptr_eq(&keep, &compiler.services[&q("keep")]));
    assert!(!Arc::ptr_eq(&change, &compiler.services[&q("change")]));
    model.services.remove(&q("change"));
    compiler.compile(&model, &eps);
    assert_eq!(compiler.services.len(), 1);
}

#[tokio::test]
async fn middleware_references_are_checked_per_router() {
    use portico_config::model::middleware::MiddlewareSpec;
    let eps =
        EntryPointSet::new([("web", false)]).with_middlewares("web", vec!["unqualified".into()]);
    let mut model = RoutingModel::default();
    model.services.insert(q("svc"), lb(&["http://127.0.0.1:1"]));
    let with = |mws: &[&str]| {
        let mut r = router("Host(`a`)", "svc", Some(&["web"])).unwrap();
        r.middlewares = mws.iter().map(|m| q(m)).collect();
        Ok(r)
    };
    model
        .middlewares
        .insert(q("loop-a"), Ok(MiddlewareSpec::Chain(vec![q("loop-b")])));
    model
        .middlewares
        .insert(q("loop-b"), Ok(MiddlewareSpec::Chain(vec![q("loop-a")])));
    model
        .middlewares
        .insert(q("broken"), Err(vec!["bad regex".into()]));
    model.routers.insert(q("cycle"), with(&["loop-a"]));
    model.routers.insert(q("missing"), with(&["nope"]));
    model.routers.insert(q("invalid"), with(&["broken"]));
    let compiled = compiler().compile(&model, &eps);
    let s = &compiled.status;
    let errors = |r: &str| s.routers[r].errors.join("\n");
    assert!(
        errors("cycle@file").contains("loop-a@file -> loop-b@file -> loop-a@file"),
        "{}",
        errors("cycle@file")
    );
    assert!(errors("missing@file").contains("\"nope@file\" does not exist"));
    assert!(errors("invalid@file").contains("\"broken@file\" is invalid: bad regex"));
    // Entrypoint middlewares must name their provider.
    assert!(errors("missing@file").contains("\"unqualified\" must name its provider"));
    assert_eq!(compiled.tables["web"].len(), 0);
    assert_eq!(s.middlewares["broken@file"].errors, ["bad regex"]);
    assert_eq!(s.middlewares["loop-a@file"].kind, "chain");
}
