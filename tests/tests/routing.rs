//! Routing through the real proxy: host and path rules, priorities and ties,
//! the 404, entrypoint attachment, service references, disabled routers and
//! merged routing files.

use std::net::SocketAddr;

use portico_e2e::{
    EXCHANGE_LIMIT,
    routing::{Router, Routing},
    send_raw,
    whoami::Seen,
    wire, within,
};
use portico_test_support::{
    client::{self, Reply},
    proxy::{self, Proxy},
    upstream::{self, Upstream},
};

async fn get(addr: SocketAddr, host: &str, path: &str) -> Reply {
    within(EXCHANGE_LIMIT, "request", client::get(addr, host, path)).await
}

/// Which backend answered `GET host path`, or the status when none did.
async fn answered_by(addr: SocketAddr, host: &str, path: &str) -> Result<String, u16> {
    let reply = get(addr, host, path).await;
    match reply.header("x-whoami-name") {
        Some(name) if reply.status == 200 => Ok(name.to_owned()),
        _ => Err(reply.status.as_u16()),
    }
}

/// Starts named whoami backends.
async fn backends(names: &[&str]) -> Vec<Upstream> {
    let mut out = Vec::new();
    for name in names {
        out.push(upstream::whoami(name).await);
    }
    out
}

/// One service per backend, named like it.
fn with_services(mut routing: Routing, backends: &[Upstream], names: &[&str]) -> Routing {
    for (backend, name) in backends.iter().zip(names) {
        routing = routing.service(name, [backend.url()]);
    }
    routing
}

async fn start(install: Option<&str>, routing: &Routing) -> Proxy {
    let mut builder = proxy::builder().routing("routing.yaml", &routing.yaml());
    if let Some(install) = install {
        builder = builder.install(install);
    }
    builder.start().await
}

#[tokio::test]
async fn host_and_path_prefix_select_the_router() {
    let names = ["api", "www"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router(
            "api",
            Router::new("Host(`api.example.com`) && PathPrefix(`/v1`)", "api"),
        )
        .router("www", Router::new("Host(`www.example.com`)", "www"));
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    let addr = proxy.addr("web");
    assert_eq!(
        answered_by(addr, "api.example.com", "/v1/users").await,
        Ok("api".to_owned())
    );
    assert_eq!(
        answered_by(addr, "api.example.com", "/v1").await,
        Ok("api".to_owned())
    );
    assert_eq!(answered_by(addr, "api.example.com", "/v2").await, Err(404));
    assert_eq!(
        answered_by(addr, "www.example.com", "/anything").await,
        Ok("www".to_owned())
    );
    assert_eq!(
        answered_by(addr, "WWW.Example.COM:8080", "/").await,
        Ok("www".to_owned())
    );
    assert_eq!(
        answered_by(addr, "other.example.com", "/v1").await,
        Err(404)
    );
}

#[tokio::test]
async fn unmatched_request_gets_traefiks_404() {
    let names = ["only"];
    let bs = backends(&names).await;
    let routing = Routing::new().router("only", Router::new("Host(`only.example.com`)", "only"));
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    let reply = get(proxy.addr("web"), "nobody.example.com", "/").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), "404 page not found\n");
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    // Go's http.NotFound (what Traefik answers with) also sets nosniff.
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn empty_routing_answers_404_for_everything() {
    let proxy = start(None, &Routing::new()).await;
    let reply = get(proxy.addr("web"), "example.com", "/").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), "404 page not found\n");
}

#[tokio::test]
async fn longer_rule_wins_by_default() {
    let names = ["long", "short"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router("long", Router::new("PathPrefix(`/api/v1/users`)", "long"))
        .router("short", Router::new("PathPrefix(`/`)", "short"));
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    let addr = proxy.addr("web");
    assert_eq!(
        answered_by(addr, "example.com", "/api/v1/users/7").await,
        Ok("long".to_owned())
    );
    assert_eq!(
        answered_by(addr, "example.com", "/api").await,
        Ok("short".to_owned())
    );
    let status = proxy.status();
    assert_eq!(
        status.routers["long@file"].priority,
        "PathPrefix(`/api/v1/users`)".len() as i64
    );
}

#[tokio::test]
async fn explicit_priority_beats_rule_length() {
    let names = ["long", "short"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router("long", Router::new("PathPrefix(`/api/v1/users`)", "long"))
        .router(
            "short",
            Router::new("PathPrefix(`/`)", "short").priority(100),
        );
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/api/v1/users/7").await,
        Ok("short".to_owned())
    );
}

#[tokio::test]
async fn negative_priority_ranks_below_default_priorities() {
    let names = ["fallback", "specific"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router(
            "fallback",
            Router::new("PathPrefix(`/api/with/a/long/prefix`)", "fallback").priority(-1),
        )
        .router("specific", Router::new("PathPrefix(`/api`)", "specific"));
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/api/with/a/long/prefix").await,
        Ok("specific".to_owned())
    );
}

#[tokio::test]
async fn equal_priority_ties_go_to_the_first_router_by_name() {
    // Traefik leaves equal-priority order unspecified within one provider;
    // Portico documents it as router name order (`name@provider`, bytes). The
    // router named later is written to the earlier file, so file order and name
    // order disagree.
    let names = ["aa", "zz"];
    let bs = backends(&names).await;
    let first_file = with_services(Routing::new(), &bs, &names)
        .router("zz", Router::new("PathPrefix(`/`)", "zz").priority(10));
    let second_file = Routing::new().router(
        "aa",
        Router::new("Path(`/tie`) || Path(`/x`)", "aa").priority(10),
    );
    let proxy = proxy::builder()
        .routing("1-first.yaml", &first_file.yaml())
        .routing("2-second.yaml", &second_file.yaml())
        .start()
        .await;
    for _ in 0..10 {
        assert_eq!(
            answered_by(proxy.addr("web"), "example.com", "/tie").await,
            Ok("aa".to_owned())
        );
    }
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/other").await,
        Ok("zz".to_owned())
    );
}

const TWO_ENTRYPOINTS_ONE_DEFAULT: &str = r#"
entryPoints:
  web:
    address: "127.0.0.1:0"
    asDefault: true
  admin:
    address: "127.0.0.1:0"
"#;

const TWO_ENTRYPOINTS: &str = r#"
entryPoints:
  web:
    address: "127.0.0.1:0"
  admin:
    address: "127.0.0.1:0"
"#;

#[tokio::test]
async fn routers_without_entry_points_attach_to_as_default_entrypoints() {
    let names = ["app"];
    let bs = backends(&names).await;
    let routing = Routing::new().router("app", Router::new("PathPrefix(`/`)", "app"));
    let proxy = start(
        Some(TWO_ENTRYPOINTS_ONE_DEFAULT),
        &with_services(routing, &bs, &names),
    )
    .await;
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/").await,
        Ok("app".to_owned())
    );
    assert_eq!(
        answered_by(proxy.addr("admin"), "example.com", "/").await,
        Err(404)
    );
    assert_eq!(proxy.status().routers["app@file"].entry_points, ["web"]);
}

#[tokio::test]
async fn routers_without_entry_points_attach_to_all_when_none_is_default() {
    let names = ["app"];
    let bs = backends(&names).await;
    let routing = Routing::new().router("app", Router::new("PathPrefix(`/`)", "app"));
    let proxy = start(Some(TWO_ENTRYPOINTS), &with_services(routing, &bs, &names)).await;
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/").await,
        Ok("app".to_owned())
    );
    assert_eq!(
        answered_by(proxy.addr("admin"), "example.com", "/").await,
        Ok("app".to_owned())
    );
}

#[tokio::test]
async fn router_naming_one_entrypoint_is_served_only_there() {
    let names = ["admin-app", "public-app"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router(
            "admin-app",
            Router::new("PathPrefix(`/`)", "admin-app").entry_points(&["admin"]),
        )
        .router(
            "public-app",
            Router::new("PathPrefix(`/`)", "public-app").entry_points(&["web"]),
        );
    let proxy = start(Some(TWO_ENTRYPOINTS), &with_services(routing, &bs, &names)).await;
    assert_eq!(
        answered_by(proxy.addr("admin"), "example.com", "/").await,
        Ok("admin-app".to_owned())
    );
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/").await,
        Ok("public-app".to_owned())
    );
}

#[tokio::test]
async fn unknown_entrypoint_names_are_reported() {
    let names = ["app"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router(
            "lost",
            Router::new("PathPrefix(`/lost`)", "app").entry_points(&["nope"]),
        )
        .router(
            "partly",
            Router::new("PathPrefix(`/partly`)", "app").entry_points(&["web", "nope2"]),
        );
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    let status = proxy.status();
    let lost = &status.routers["lost@file"];
    assert!(!lost.enabled, "{lost:?}");
    assert!(lost.errors.iter().any(|e| e.contains("nope")), "{lost:?}");
    let partly = &status.routers["partly@file"];
    assert!(
        partly.errors.iter().any(|e| e.contains("nope2")),
        "{partly:?}"
    );
    assert!(
        partly.enabled,
        "a router with one valid entrypoint is served there: {partly:?}"
    );
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/partly").await,
        Ok("app".to_owned())
    );
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/lost").await,
        Err(404)
    );
}

#[tokio::test]
async fn service_reference_with_provider_suffix_resolves() {
    let names = ["backend"];
    let bs = backends(&names).await;
    let routing = Routing::new().router("app", Router::new("PathPrefix(`/`)", "backend@file"));
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/").await,
        Ok("backend".to_owned())
    );
    assert_eq!(proxy.status().routers["app@file"].service, "backend@file");
}

#[tokio::test]
async fn missing_service_disables_only_that_router() {
    let names = ["backend"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router("good", Router::new("PathPrefix(`/good`)", "backend"))
        .router(
            "orphan",
            Router::new("PathPrefix(`/orphan`)", "does-not-exist"),
        )
        .router(
            "elsewhere",
            Router::new("PathPrefix(`/elsewhere`)", "backend@docker"),
        );
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    let status = proxy.status();
    for (name, service) in [
        ("orphan@file", "does-not-exist"),
        ("elsewhere@file", "backend@docker"),
    ] {
        let router = &status.routers[name];
        assert!(!router.enabled, "{router:?}");
        assert!(
            router.errors.iter().any(|e| e.contains(service)),
            "{router:?}"
        );
    }
    assert!(status.routers["good@file"].enabled);
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/good").await,
        Ok("backend".to_owned())
    );
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/orphan").await,
        Err(404)
    );
}

#[tokio::test]
async fn invalid_rule_disables_only_that_router() {
    let names = ["backend"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router("good", Router::new("PathPrefix(`/good`)", "backend"))
        .router("broken", Router::new("PathPrefix(`/broken`) &&", "backend"))
        .router("unknown", Router::new("Nope(`/x`)", "backend"));
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    let status = proxy.status();
    for name in ["broken@file", "unknown@file"] {
        let router = &status.routers[name];
        assert!(!router.enabled, "{router:?}");
        assert!(
            router.errors.iter().any(|e| e.contains("rule")),
            "{router:?}"
        );
    }
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/good").await,
        Ok("backend".to_owned())
    );
    assert_eq!(
        answered_by(proxy.addr("web"), "example.com", "/broken").await,
        Err(404)
    );
}

#[tokio::test]
async fn toml_and_yaml_files_in_one_directory_merge() {
    let bs = backends(&["from-toml", "from-yaml"]).await;
    let toml = format!(
        "[http.routers.tomlr]\nrule = \"PathPrefix(`/toml`)\"\nservice = \"toml-svc\"\n\n\
         [http.services.toml-svc.loadBalancer]\n[[http.services.toml-svc.loadBalancer.servers]]\nurl = \"{}\"\n",
        bs[0].url()
    );
    // The YAML router uses the TOML file's service: both files form one provider.
    let yaml = Routing::new()
        .router("yamlr", Router::new("PathPrefix(`/yaml`)", "yaml-svc"))
        .router("cross", Router::new("PathPrefix(`/cross`)", "toml-svc"))
        .service("yaml-svc", [bs[1].url()])
        .yaml();
    let proxy = proxy::builder()
        .routing("a.toml", &toml)
        .routing("b.yaml", &yaml)
        .start()
        .await;
    let addr = proxy.addr("web");
    assert_eq!(
        answered_by(addr, "example.com", "/toml").await,
        Ok("from-toml".to_owned())
    );
    assert_eq!(
        answered_by(addr, "example.com", "/yaml").await,
        Ok("from-yaml".to_owned())
    );
    assert_eq!(
        answered_by(addr, "example.com", "/cross").await,
        Ok("from-toml".to_owned())
    );
}

#[tokio::test]
async fn absolute_form_request_is_routed_by_its_authority() {
    // Go (and so Traefik) takes the host of an absolute-form target over the
    // Host header.
    let names = ["right", "wrong"];
    let bs = backends(&names).await;
    let routing = Routing::new()
        .router("right", Router::new("Host(`right.example.com`)", "right"))
        .router("wrong", Router::new("Host(`wrong.example.com`)", "wrong"));
    let proxy = start(None, &with_services(routing, &bs, &names)).await;
    let response = send_raw(
        proxy.addr("web"),
        &wire::request(
            "GET",
            "http://right.example.com/x?y=1",
            Some("wrong.example.com"),
            &[("Connection", "close")],
        ),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("x-whoami-name"), Some("right"));
    let seen = Seen::parse(&response.text()).expect("whoami dump");
    assert_eq!(seen.target, "/x?y=1", "the backend gets the origin form");
}
