use std::{collections::BTreeMap, time::Duration};

use crate::{
    Format,
    model::{
        CookieSameSite, FailoverErrorsSpec, FailoverSpec, FlushInterval, HealthCheckMode,
        HealthCheckSpec, HighestRandomWeightSpec, LoadBalancerSpec, MirroringSpec,
        PassiveHealthCheckSpec, QualifiedName, ServerSpec, ServiceSpec, StickyCookieSpec, Strategy,
        WeightedSpec,
    },
    parse_routing,
    validate::routing,
};

/// Validates `services` (YAML below `http.services`) as the file provider's.
fn validate(services: &str) -> BTreeMap<String, Result<ServiceSpec, Vec<String>>> {
    let indented: String = services.lines().map(|l| format!("    {l}\n")).collect();
    let text = format!("http:\n  services:\n{indented}");
    let raw = parse_routing(&text, Format::Yaml, "test.yaml").unwrap();
    routing("file", &raw, &Default::default())
        .services
        .into_iter()
        .map(|(q, r)| (q.name().to_owned(), r))
        .collect()
}

fn ok(services: &str, name: &str) -> ServiceSpec {
    match validate(services).remove(name) {
        Some(Ok(spec)) => spec,
        other => panic!("{name}: expected a valid service, got {other:?}"),
    }
}

fn errors(services: &str, name: &str) -> Vec<String> {
    match validate(services).remove(name) {
        Some(Err(errors)) => errors,
        other => panic!("{name}: expected errors, got {other:?}"),
    }
}

fn lb(services: &str) -> LoadBalancerSpec {
    match ok(services, "s") {
        ServiceSpec::LoadBalancer(lb) => lb,
        other => panic!("expected a load balancer, got {other:?}"),
    }
}

fn q(name: &str) -> QualifiedName {
    QualifiedName::resolve(name, "file")
}

// --- loadBalancer ---

#[test]
fn load_balancer_defaults() {
    let spec = lb("s:\n  loadBalancer:\n    servers:\n      - url: ' http://a:80 '\n");
    assert_eq!(
        spec,
        LoadBalancerSpec {
            servers: vec![ServerSpec::new("http://a:80")],
            ..LoadBalancerSpec::default()
        }
    );
    assert_eq!(spec.strategy, Strategy::Wrr);
    assert!(spec.pass_host_header);
    assert_eq!(
        spec.flush_interval,
        FlushInterval::Every(Duration::from_millis(100))
    );
    assert!(spec.sticky.is_none() && spec.health_check.is_none());
    assert!(spec.passive_health_check.is_none() && spec.servers_transport.is_none());
}

#[test]
fn load_balancer_options() {
    let spec = lb("s:
  loadBalancer:
    strategy: P2C
    passHostHeader: false
    servers:
      - url: h2c://a:80
        weight: 3
        preservePath: true
      - url: https://b
        weight: 0
    responseForwarding:
      flushInterval: 250ms
    serversTransport: mine
");
    assert_eq!(spec.strategy, Strategy::P2c);
    assert!(!spec.pass_host_header);
    assert_eq!(
        spec.servers,
        [
            ServerSpec {
                url: "h2c://a:80".into(),
                weight: 3,
                preserve_path: true
            },
            ServerSpec {
                url: "https://b".into(),
                weight: 0,
                preserve_path: false
            }
        ]
    );
    assert_eq!(
        spec.flush_interval,
        FlushInterval::Every(Duration::from_millis(250))
    );
    assert_eq!(spec.servers_transport, Some(q("mine")));
}

#[test]
fn negative_flush_interval_flushes_every_write() {
    let spec = lb("s:\n  loadBalancer:\n    responseForwarding:\n      flushInterval: -1ms\n");
    assert_eq!(spec.flush_interval, FlushInterval::EveryWrite);
}

#[test]
fn transport_references_are_qualified_and_default_internal_is_the_default() {
    let transport = |name: &str| {
        lb(&format!(
            "s:\n  loadBalancer:\n    serversTransport: '{name}'\n"
        ))
        .servers_transport
    };
    assert_eq!(transport("default@internal"), None);
    assert_eq!(transport(""), None);
    assert_eq!(
        transport("t@docker"),
        Some(QualifiedName::new("t", "docker"))
    );
    assert_eq!(transport("default"), Some(q("default")));
}

#[test]
fn empty_or_missing_servers_are_valid() {
    assert!(
        lb("s:\n  loadBalancer:\n    servers: []\n")
            .servers
            .is_empty()
    );
    assert!(lb("s:\n  loadBalancer: {}\n").servers.is_empty());
}

#[test]
fn load_balancer_refusals_name_their_key() {
    let found = errors(
        "s:
  loadBalancer:
    strategy: hrw
    servers:
      - url: ''
      - url: http://a
        weight: -1
",
        "s",
    );
    assert_eq!(
        found,
        [
            "http.services.s.loadBalancer.servers[0].url: url is required",
            "http.services.s.loadBalancer.servers[1].weight: must be between 0 and 4294967295, got -1",
            "http.services.s.loadBalancer.strategy: strategy \"hrw\" is not supported by this Portico version (use wrr or p2c)",
        ]
    );
    assert_eq!(
        errors("s:\n  loadBalancer:\n    strategy: leasttime\n", "s"),
        [
            "http.services.s.loadBalancer.strategy: strategy \"leasttime\" is not supported by this Portico version (use wrr or p2c)"
        ]
    );
    assert_eq!(
        errors("s:\n  loadBalancer:\n    strategy: fastest\n", "s"),
        [
            "http.services.s.loadBalancer.strategy: unknown strategy \"fastest\" (expected wrr or p2c)"
        ]
    );
}

#[test]
fn a_service_needs_exactly_one_kind() {
    assert_eq!(
        errors("s: {}\n", "s"),
        [
            "http.services.s: a service needs exactly one of loadBalancer, weighted, mirroring, failover or highestRandomWeight"
        ]
    );
    assert_eq!(
        errors(
            "s:\n  loadBalancer: {}\n  failover:\n    service: a\n    fallback: b\n",
            "s"
        ),
        [
            "http.services.s: a service needs exactly one kind, found [\"loadBalancer\", \"failover\"]"
        ]
    );
}

// --- healthCheck, passiveHealthCheck ---

#[test]
fn health_check_defaults() {
    let spec = lb("s:\n  loadBalancer:\n    healthCheck: {}\n");
    assert_eq!(spec.health_check, Some(HealthCheckSpec::default()));
    let hc = HealthCheckSpec::default();
    assert_eq!(hc.interval, Duration::from_secs(30));
    assert_eq!(hc.unhealthy_interval, Duration::from_secs(30));
    assert_eq!(hc.timeout, Duration::from_secs(5));
    assert_eq!(hc.method, "GET");
    assert_eq!(hc.mode, HealthCheckMode::Http);
    assert!(hc.follow_redirects);
    assert!(hc.path.is_none() && hc.scheme.is_none() && hc.status.is_none());
    assert!(hc.port.is_none() && hc.hostname.is_none() && hc.headers.is_empty());

    let hc = lb("s:\n  loadBalancer:\n    healthCheck:\n      interval: 10s\n")
        .health_check
        .unwrap();
    assert_eq!(
        (hc.interval, hc.unhealthy_interval),
        (Duration::from_secs(10), Duration::from_secs(10)),
        "unhealthyInterval defaults to interval"
    );
}

#[test]
fn health_check_options() {
    let hc = lb("s:
  loadBalancer:
    healthCheck:
      mode: GRPC
      scheme: HTTPS
      path: /health
      method: post
      status: 204
      port: 8080
      hostname: health.example
      headers:
        X-Check: portico
      interval: 10s
      unhealthyInterval: 1m
      timeout: 2s
      followRedirects: false
")
    .health_check
    .unwrap();
    assert_eq!(
        hc,
        HealthCheckSpec {
            mode: HealthCheckMode::Grpc,
            scheme: Some("https".into()),
            path: Some("/health".into()),
            method: "POST".into(),
            status: Some(204),
            port: Some(8080),
            hostname: Some("health.example".into()),
            headers: [("X-Check".to_owned(), "portico".to_owned())].into(),
            interval: Duration::from_secs(10),
            unhealthy_interval: Duration::from_secs(60),
            timeout: Duration::from_secs(2),
            follow_redirects: false,
        }
    );
}

#[test]
fn health_check_refusals_name_their_key() {
    let found = errors(
        "s:
  loadBalancer:
    healthCheck:
      mode: tcp
      scheme: ftp
      method: GE T
      status: 42
      port: 70000
      headers:
        bad name: x
        X-Ok: \"a\\nb\"
      interval: 0s
      unhealthyInterval: -5s
      timeout: -1s
",
        "s",
    );
    let p = "http.services.s.loadBalancer.healthCheck";
    let expected = [
        format!("{p}.mode: unknown mode \"tcp\" (expected http or grpc)"),
        format!("{p}.scheme: unknown scheme \"ftp\" (expected http, https or h2c)"),
        format!("{p}.method: invalid method \"GE T\""),
        format!("{p}.status: must be between 100 and 599, found 42"),
        format!("{p}.port: must be between 1 and 65535, found 70000"),
        format!("{p}.headers.X-Ok: invalid header value \"a\\nb\""),
        format!("{p}.headers: invalid header name \"bad name\""),
        format!("{p}.interval: must be above zero, found 0s"),
        format!("{p}.unhealthyInterval: must be above zero, found -5s"),
        format!("{p}.timeout: must be above zero, found -1s"),
    ];
    assert_eq!(found, expected);
    assert_eq!(
        errors(
            "s:\n  loadBalancer:\n    healthCheck:\n      status: 600\n      port: -1\n",
            "s"
        ),
        [
            format!("{p}.status: must be between 100 and 599, found 600"),
            format!("{p}.port: must be between 1 and 65535, found -1"),
        ]
    );
}

#[test]
fn passive_health_check_defaults_and_refusals() {
    let spec = lb("s:\n  loadBalancer:\n    passiveHealthCheck: {}\n");
    assert_eq!(
        spec.passive_health_check,
        Some(PassiveHealthCheckSpec {
            failure_window: Duration::from_secs(10),
            max_failed_attempts: 1,
        })
    );
    let spec = lb(
        "s:\n  loadBalancer:\n    passiveHealthCheck:\n      failureWindow: 1m\n      maxFailedAttempts: 3\n",
    );
    assert_eq!(
        spec.passive_health_check,
        Some(PassiveHealthCheckSpec {
            failure_window: Duration::from_secs(60),
            max_failed_attempts: 3,
        })
    );
    assert_eq!(
        errors(
            "s:\n  loadBalancer:\n    passiveHealthCheck:\n      failureWindow: 0s\n      maxFailedAttempts: 0\n",
            "s"
        ),
        [
            "http.services.s.loadBalancer.passiveHealthCheck.failureWindow: must be above zero, found 0s",
            "http.services.s.loadBalancer.passiveHealthCheck.maxFailedAttempts: must be between 1 and 4294967295, found 0",
        ]
    );
}

// --- sticky ---

#[test]
fn sticky_cookie_defaults_derive_the_name_like_traefik() {
    let cookie = lb("s:\n  loadBalancer:\n    sticky:\n      cookie: {}\n")
        .sticky
        .unwrap();
    // "_" + sha1("_TRAEFIK_BACKEND_s@file")[..5], computed with Python's hashlib.
    assert_eq!(cookie.name, "_23300");
    assert_eq!(cookie, StickyCookieSpec::new(&q("s")));
    assert_eq!(
        (cookie.path.as_str(), cookie.max_age, cookie.same_site),
        ("/", 0, None)
    );
    assert!(!cookie.secure && !cookie.http_only && cookie.domain.is_none());
    assert_eq!(
        StickyCookieSpec::default_name(&QualifiedName::new("whoami", "docker")),
        "_633ff"
    );
    assert!(
        lb("s:\n  loadBalancer:\n    sticky: {}\n").sticky.is_none(),
        "stickiness needs a cookie"
    );
}

#[test]
fn sticky_cookie_options() {
    let cookie = lb("s:
  loadBalancer:
    sticky:
      cookie:
        name: my cookie
        secure: true
        httpOnly: true
        sameSite: Lax
        maxAge: -1
        path: /app
        domain: example.com
")
    .sticky
    .unwrap();
    assert_eq!(
        cookie,
        StickyCookieSpec {
            name: "my_cookie".into(),
            secure: true,
            http_only: true,
            same_site: Some(CookieSameSite::Lax),
            max_age: -1,
            path: "/app".into(),
            domain: Some("example.com".into()),
        }
    );
    assert_eq!(
        errors(
            "s:\n  loadBalancer:\n    sticky:\n      cookie:\n        sameSite: foobar\n",
            "s"
        ),
        [
            "http.services.s.loadBalancer.sticky.cookie.sameSite: unknown value \"foobar\" (expected none, lax or strict)"
        ]
    );
}

// --- services of services ---

#[test]
fn weighted_services() {
    let spec = ok(
        "w:
  weighted:
    services:
      - name: a
      - name: b@docker
        weight: 3
    sticky:
      cookie: {}
    healthCheck: {}
",
        "w",
    );
    assert_eq!(
        spec,
        ServiceSpec::Weighted(WeightedSpec {
            services: vec![(q("a"), 1), (QualifiedName::new("b", "docker"), 3)],
            sticky: Some(StickyCookieSpec::new(&q("w"))),
            health_check: true,
        })
    );
    assert_eq!(StickyCookieSpec::new(&q("w")).name, "_c239a");
    assert_eq!(
        errors(
            "w:\n  weighted:\n    services:\n      - name: a\n      - weight: 2\n      - name: c\n        weight: -2\n",
            "w"
        ),
        [
            "http.services.w.weighted.services[1].name: a service name is required",
            "http.services.w.weighted.services[2].weight: must be between 0 and 4294967295, got -2",
        ]
    );
}

#[test]
fn mirroring_services() {
    let spec = ok(
        "m:\n  mirroring:\n    service: main\n    mirrors:\n      - name: copy\n        percent: 10\n      - name: other\n",
        "m",
    );
    assert_eq!(
        spec,
        ServiceSpec::Mirroring(MirroringSpec {
            service: q("main"),
            mirrors: vec![(q("copy"), 10), (q("other"), 0)],
            mirror_body: true,
            max_body_size: None,
            health_check: false,
        })
    );
    let body = |extra: &str| match ok(
        &format!("m:\n  mirroring:\n    service: main\n{extra}"),
        "m",
    ) {
        ServiceSpec::Mirroring(m) => (m.mirror_body, m.max_body_size, m.health_check),
        other => panic!("{other:?}"),
    };
    assert_eq!(body("    maxBodySize: -1\n"), (true, None, false));
    assert_eq!(
        body("    maxBodySize: 8\n    mirrorBody: false\n    healthCheck: {}\n"),
        (false, Some(8), true)
    );
    assert_eq!(
        errors(
            "m:\n  mirroring:\n    mirrors:\n      - name: a\n        percent: 101\n      - name: b\n        percent: -1\n",
            "m"
        ),
        [
            "http.services.m.mirroring.service: a service name is required",
            "http.services.m.mirroring.mirrors[0].percent: must be between 0 and 100, found 101",
            "http.services.m.mirroring.mirrors[1].percent: must be between 0 and 100, found -1",
        ]
    );
}

#[test]
fn failover_services() {
    let spec = ok(
        "f:\n  failover:\n    service: main\n    fallback: spare@docker\n    healthCheck: {}\n",
        "f",
    );
    assert_eq!(
        spec,
        ServiceSpec::Failover(FailoverSpec {
            service: q("main"),
            fallback: QualifiedName::new("spare", "docker"),
            health_check: true,
            errors: None,
        })
    );
    let with_errors = |extra: &str| match ok(
        &format!("f:\n  failover:\n    service: a\n    fallback: b\n    errors:\n{extra}"),
        "f",
    ) {
        ServiceSpec::Failover(f) => f.errors,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        with_errors("      status: ['500', '502-504']\n      maxRequestBodyBytes: 1024\n"),
        Some(FailoverErrorsSpec {
            status: vec![500..=500, 502..=504],
            max_request_body_bytes: Some(1024),
        })
    );
    assert_eq!(
        with_errors("      maxRequestBodyBytes: -1\n"),
        Some(FailoverErrorsSpec::default())
    );
    assert_eq!(
        errors(
            "f:\n  failover:\n    service: a\n    errors:\n      status: ['5xx']\n",
            "f"
        ),
        [
            "http.services.f.failover.fallback: a service name is required",
            "http.services.f.failover.errors.status: invalid status code or range \"5xx\"",
        ]
    );
}

#[test]
fn highest_random_weight_services() {
    let spec = ok(
        "h:\n  highestRandomWeight:\n    services:\n      - name: a\n        weight: 2\n      - name: b\n    healthCheck: {}\n",
        "h",
    );
    assert_eq!(
        spec,
        ServiceSpec::HighestRandomWeight(HighestRandomWeightSpec {
            services: vec![(q("a"), 2), (q("b"), 1)],
            health_check: true,
        })
    );
    assert_eq!(spec.kind(), "highestRandomWeight");
    assert_eq!(spec.children(), [&q("a"), &q("b")]);
}
