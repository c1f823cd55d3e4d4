use super::*;

fn target(path: &str) -> Result<(String, Option<String>, Option<String>, bool), u16> {
    match parse_path(path, &Resources::default()) {
        Ok(Route::Resource(t)) => Ok((t.res.to_string(), t.namespace, t.name, t.status)),
        Ok(other) => panic!("{path}: not a resource path: {other:?}"),
        Err(err) => Err(err.code),
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn resource_paths() {
    assert_eq!(
        target("/api/v1/services"),
        Ok(("services".into(), None, None, false))
    );
    assert_eq!(
        target("/api/v1/namespaces/apps/services"),
        Ok(("services".into(), some("apps"), None, false))
    );
    assert_eq!(
        target("/api/v1/namespaces/apps/services/web/status"),
        Ok(("services".into(), some("apps"), some("web"), true))
    );
    assert_eq!(
        target("/apis/traefik.containo.us/v1alpha1/namespaces/a/ingressroutes/r"),
        Ok((
            "ingressroutes.traefik.containo.us".into(),
            some("a"),
            some("r"),
            false
        ))
    );
    assert_eq!(
        target("/apis/networking.k8s.io/v1/ingressclasses/portico"),
        Ok((
            "ingressclasses.networking.k8s.io".into(),
            None,
            some("portico"),
            false
        ))
    );
}

#[test]
fn namespace_objects_are_not_namespaced_collections() {
    assert_eq!(
        target("/api/v1/namespaces"),
        Ok(("namespaces".into(), None, None, false))
    );
    assert_eq!(
        target("/api/v1/namespaces/apps"),
        Ok(("namespaces".into(), None, some("apps"), false))
    );
    assert_eq!(
        target("/api/v1/namespaces/apps/status"),
        Ok(("namespaces".into(), None, some("apps"), true))
    );
}

#[test]
fn unknown_or_misplaced_resources_are_404() {
    for path in [
        "/api/v1/widgets",
        "/api/v2/services",
        "/apis/traefik.io/v1/ingressroutes",
        "/apis/networking.k8s.io/v1/ingresses/web",
        "/apis/networking.k8s.io/v1/namespaces/a/ingressclasses",
        "/api/v1/namespaces/a/services/web/scale",
        "/api/v1/namespaces/a/services/web/status/x",
        "/healthz",
        "/",
    ] {
        assert_eq!(target(path), Err(404), "{path}");
    }
}

#[test]
fn discovery_paths() {
    let resources = Resources::default();
    assert!(matches!(
        parse_path("/version", &resources),
        Ok(Route::Version)
    ));
    assert!(matches!(parse_path("/apis", &resources), Ok(Route::Groups)));
    assert!(matches!(
        parse_path("/apis/traefik.io/v1alpha1", &resources),
        Ok(Route::GroupVersion { group, version }) if group == "traefik.io" && version == "v1alpha1"
    ));
    let list = discovery::resource_list(&resources, "traefik.io", "v1alpha1").expect("served");
    assert_eq!(
        list["resources"].as_array().map(Vec::len),
        Some(20),
        "10 kinds and their status"
    );
    assert!(discovery::resource_list(&resources, "traefik.io", "v2").is_none());
}

#[test]
fn watch_flag_in_the_query() {
    for (uri, watch) in [
        ("/api/v1/services?watch=true&resourceVersion=3", true),
        ("/api/v1/services?resourceVersion=3&watch=1", true),
        ("/api/v1/services?watch=false", false),
        ("/api/v1/services?limit=500", false),
        ("/api/v1/services", false),
    ] {
        assert_eq!(is_watch(&uri.parse().expect("uri")), watch, "{uri}");
    }
}

#[test]
fn with_status_copies_or_removes_status() {
    let object = serde_json::json!({"spec": 1, "status": {"a": 1}});
    let from = serde_json::json!({"status": {"b": 2}});
    assert_eq!(
        with_status(object.clone(), &from),
        serde_json::json!({"spec": 1, "status": {"b": 2}})
    );
    assert_eq!(
        with_status(object, &serde_json::json!({})),
        serde_json::json!({"spec": 1})
    );
}
