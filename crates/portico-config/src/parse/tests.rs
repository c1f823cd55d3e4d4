use super::*;
use crate::raw::Duration;

fn yaml_install(text: &str) -> Result<InstallConfig, ParseError> {
    parse_install(text, Format::Yaml, "traefik.yml")
}

fn yaml_routing(text: &str) -> Result<RoutingConfig, ParseError> {
    parse_routing(text, Format::Yaml, "dynamic.yml")
}

fn env(pairs: &[(&str, &str)]) -> Result<InstallConfig, ParseError> {
    let vars = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
    install_from_env(vars, "PORTICO_")
}

fn flags(pairs: &[(&str, Option<&str>)]) -> Result<InstallConfig, ParseError> {
    let flags: Vec<_> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
        .collect();
    install_from_flags(&flags)
}

// --- files ---

#[test]
fn unknown_key_names_its_path_line_and_column() {
    let err = yaml_install("entryPoints:\n  web:\n    adress: ':80'\n").unwrap_err();
    assert_eq!(err.source, "traefik.yml");
    assert_eq!(err.path, "entryPoints.web.adress");
    assert_eq!((err.line, err.column), (Some(3), Some(5)));
    assert!(
        err.message
            .starts_with("unknown field `adress`, expected one of"),
        "{}",
        err.message
    );
    assert!(
        err.to_string()
            .starts_with("traefik.yml:3:5: entryPoints.web.adress: unknown field")
    );
}

#[test]
fn path_uses_canonical_names_whatever_the_spelling() {
    let err = yaml_install(
        "ENTRYPOINTS:\n  Web:\n    Transport:\n      LifeCycle:\n        GRACETIMEOUT: soon\n",
    )
    .unwrap_err();
    assert_eq!(err.path, "entryPoints.Web.transport.lifeCycle.graceTimeOut");
    assert_eq!(err.line, Some(5));
    assert_eq!(
        err.message,
        "invalid duration `soon`: expected a number followed by a unit, such as `10s` or `1m30s`"
    );
}

#[test]
fn wrong_type_is_reported_plainly() {
    let err = yaml_routing("http:\n  routers:\n    r:\n      priority: high\n").unwrap_err();
    assert_eq!(err.path, "http.routers.r.priority");
    assert_eq!(err.line, Some(4));
    assert_eq!(err.message, "invalid type: string \"high\", expected i64");
}

#[test]
fn yaml_syntax_error_has_a_location() {
    let err = yaml_install("log:\n  level: INFO\n  filePath: \"a.log\n").unwrap_err();
    // serde_yaml parses as it goes: the path says how far it got.
    assert_eq!(err.path, "log.filePath");
    assert_eq!((err.line, err.column), (Some(4), Some(1)), "{err}");
    assert_eq!(
        err.message,
        "found unexpected end of stream, while scanning a quoted scalar at line 3 column 13"
    );
}

#[test]
fn yaml_duplicate_key_is_refused() {
    let err = yaml_routing("http:\n  routers:\n    a:\n      rule: x\n    a:\n      rule: y\n")
        .unwrap_err();
    assert_eq!(err.path, "http.routers.a");
    assert_eq!(err.line, Some(5));
    assert_eq!(err.message, "duplicate key `a`");
}

#[test]
fn yaml_duplicate_option_is_refused() {
    let err = yaml_install("log:\n  level: INFO\n  Level: DEBUG\n").unwrap_err();
    assert_eq!(err.path, "log");
    assert_eq!(err.message, "duplicate field `level`");
}

#[test]
fn root_must_be_a_map() {
    let err = yaml_install("- a\n- b\n").unwrap_err();
    assert_eq!(err.path, "");
    assert_eq!(
        err.message,
        "invalid type: sequence, expected a map of options"
    );
    let err = yaml_routing("just text\n").unwrap_err();
    assert_eq!(
        err.message,
        "invalid type: string \"just text\", expected a map of routing options"
    );
}

#[test]
fn empty_document_is_an_empty_configuration() {
    assert_eq!(yaml_install("").unwrap(), InstallConfig::default());
    assert_eq!(
        yaml_routing("# only a comment\n").unwrap(),
        RoutingConfig::default()
    );
    assert_eq!(
        parse_routing("", Format::Toml, "x.toml").unwrap(),
        RoutingConfig::default()
    );
}

#[test]
fn toml_errors_have_line_and_column() {
    let text = "[entryPoints.web]\n  address = \":80\"\n  reusePort = \"maybe\"\n";
    let err = parse_install(text, Format::Toml, "traefik.toml").unwrap_err();
    assert_eq!(err.path, "entryPoints.web.reusePort");
    assert_eq!((err.line, err.column), (Some(3), Some(15)));
    assert_eq!(
        err.message,
        "invalid type: string \"maybe\", expected a boolean"
    );
}

#[test]
fn toml_unknown_key_has_line() {
    let text = "[http.routers.r]\nrule = \"Host(`a`)\"\nservise = \"s\"\n";
    let err = parse_routing(text, Format::Toml, "d.toml").unwrap_err();
    assert_eq!(err.path, "http.routers.r.servise");
    assert_eq!(err.line, Some(3));
    assert!(
        err.message.starts_with("unknown field `servise`"),
        "{}",
        err.message
    );
}

#[test]
fn toml_syntax_error_has_line() {
    let err = parse_install("[log\nlevel = 1\n", Format::Toml, "t.toml").unwrap_err();
    assert_eq!(err.line, Some(1));
    assert_eq!(err.path, "");
    assert!(!err.message.is_empty());
}

#[test]
fn install_parser_skips_routing_keys() {
    let text = "log:\n  level: INFO\nhttp:\n  anything: [1, 2]\ntls: {}\nTCP: x\n";
    let install = yaml_install(text).unwrap();
    assert_eq!(install.log.unwrap().level.as_deref(), Some("INFO"));
}

#[test]
fn routing_parser_skips_install_keys_but_not_others() {
    let text =
        "entryPoints:\n  web: {address: ':80'}\nportico: {watch: true}\nhttp:\n  routers: {}\n";
    let routing = yaml_routing(text).unwrap();
    assert_eq!(routing.http.unwrap().routers, Some(Default::default()));
    let err = yaml_routing("htpp:\n  routers: {}\n").unwrap_err();
    assert_eq!(err.path, "htpp");
    assert_eq!(err.line, Some(1));
    assert!(
        err.message.starts_with("unknown field `htpp`"),
        "{}",
        err.message
    );
}

#[test]
fn install_round_trips_through_serialization() {
    let text = r#"
entryPoints:
  web:
    address: ":80"
    http:
      redirections:
        entryPoint: {to: websecure, scheme: https}
  websecure:
    address: ":443"
    transport:
      lifeCycle: {graceTimeOut: 42s}
      respondingTimeouts: {readTimeout: 5}
    http:
      tls:
        certResolver: le
        domains: [{main: example.com, sans: [www.example.com]}]
providers:
  providersThrottleDuration: 3s
  file: {directory: /etc/portico, watch: true}
  docker: {exposedByDefault: false}
certificatesResolvers:
  le:
    acme: {email: a@example.com, storage: acme.json, tlsChallenge: {}}
metrics:
  prometheus: {buckets: [0.1, 0.5]}
accessLog:
  fields:
    headers:
      names: {User-Agent: keep}
"#;
    let install = yaml_install(text).unwrap();
    let json = serde_json::to_value(&install).unwrap();
    assert_eq!(
        json["entryPoints"]["websecure"]["transport"]["lifeCycle"]["graceTimeOut"],
        "42s"
    );
    assert_eq!(json["providers"]["docker"]["exposedByDefault"], false);
    assert!(
        json["entryPoints"]["web"].get("reusePort").is_none(),
        "unset stays unset"
    );
    let back: InstallConfig = crate::de::deserialize(json).unwrap();
    assert_eq!(back, install);
    let toml_text = toml::to_string(&install).unwrap();
    assert_eq!(
        parse_install(&toml_text, Format::Toml, "again.toml").unwrap(),
        install
    );
}

#[test]
fn yaml_merge_keys_are_applied() {
    let text = "x-defaults: &defaults\n  entryPoints: [web]\n  service: app\nhttp:\n  routers:\n    a:\n      <<: *defaults\n      rule: Host(`a`)\n";
    let routing = yaml_routing(text).unwrap_err();
    // `x-defaults` is not a routing key: anchors must live in known places.
    assert_eq!(routing.path, "x-defaults");
    let text = "http:\n  routers:\n    a: &a\n      service: app\n      rule: Host(`a`)\n    b:\n      <<: *a\n      rule: Host(`b`)\n";
    let routers = yaml_routing(text).unwrap().http.unwrap().routers.unwrap();
    assert_eq!(routers["b"].service.as_deref(), Some("app"));
    assert_eq!(routers["b"].rule.as_deref(), Some("Host(`b`)"));
    let err = yaml_routing(
        "http:\n  routers:\n    a: &a {rule: x}\n    b:\n      <<: *a\n      rul: y\n",
    )
    .unwrap_err();
    assert_eq!(err.path, "http.routers.b.rul");
    assert_eq!(err.line, None);
}

#[test]
fn format_from_path() {
    assert_eq!(Format::from_path(Path::new("a/b.Yaml")), Some(Format::Yaml));
    assert_eq!(Format::from_path(Path::new("b.yml")), Some(Format::Yaml));
    assert_eq!(Format::from_path(Path::new("b.TOML")), Some(Format::Toml));
    assert_eq!(Format::from_path(Path::new("toml")), None);
}

// --- environment ---

#[test]
fn env_builds_nested_keys_and_lower_cases_names() {
    let install = env(&[
        ("PORTICO_ENTRYPOINTS_WEBSECURE_ADDRESS", ":443"),
        (
            "portico_entrypoints_websecure_http_tls_domains_1_main",
            "b.example",
        ),
        (
            "PORTICO_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_0_MAIN",
            "a.example",
        ),
        (
            "PORTICO_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_0_SANS",
            "x.example, y.example",
        ),
        (
            "PORTICO_CERTIFICATESRESOLVERS_myResolver_ACME_EMAIL",
            "a@example.com",
        ),
        ("PORTICO_API", "true"),
        ("PATH", "/bin"),
    ])
    .unwrap();
    let eps = install.entry_points.unwrap();
    let tls = eps["websecure"].http.clone().unwrap().tls.unwrap();
    let domains = tls.domains.unwrap();
    assert_eq!(domains[0].main.as_deref(), Some("a.example"));
    assert_eq!(
        domains[0].sans,
        Some(vec!["x.example".into(), "y.example".into()])
    );
    assert_eq!(domains[1].main.as_deref(), Some("b.example"));
    assert!(
        install
            .certificates_resolvers
            .unwrap()
            .contains_key("myresolver")
    );
    assert_eq!(install.api, Some(Default::default()));
}

#[test]
fn env_scalars_are_parsed() {
    let install = env(&[
        ("PORTICO_PROVIDERS_PROVIDERSTHROTTLEDURATION", "10"),
        ("PORTICO_ENTRYPOINTS_WEB_HTTP2_MAXCONCURRENTSTREAMS", "100"),
        ("PORTICO_METRICS_PROMETHEUS_BUCKETS", "0.1,0.3"),
    ])
    .unwrap();
    let throttle = install
        .providers
        .unwrap()
        .providers_throttle_duration
        .unwrap();
    assert_eq!(throttle, Duration::from_secs(10));
    let http2 = install.entry_points.unwrap()["web"].http2.clone().unwrap();
    assert_eq!(http2.max_concurrent_streams, Some(100));
    assert_eq!(
        install.metrics.unwrap().prometheus.unwrap().buckets,
        Some(vec![0.1, 0.3])
    );
}

#[test]
fn env_unknown_key_names_the_variable() {
    let err = env(&[
        ("PORTICO_LOG_LEVEL", "INFO"),
        ("PORTICO_ENTRYPOINTS_WEB_ADRESS", ":80"),
    ])
    .unwrap_err();
    assert_eq!(
        err.source,
        "environment variable PORTICO_ENTRYPOINTS_WEB_ADRESS"
    );
    assert_eq!(err.path, "entryPoints.web.adress");
    assert_eq!(err.line, None);
    assert!(
        err.message.starts_with("unknown field `adress`"),
        "{}",
        err.message
    );
}

#[test]
fn env_bad_value_names_the_variable() {
    let err = env(&[("PORTICO_ENTRYPOINTS_WEB_REUSEPORT", "sometimes")]).unwrap_err();
    assert_eq!(
        err.source,
        "environment variable PORTICO_ENTRYPOINTS_WEB_REUSEPORT"
    );
    assert_eq!(err.path, "entryPoints.web.reusePort");
    assert_eq!(
        err.message,
        "invalid type: string \"sometimes\", expected a boolean"
    );
}

#[test]
fn env_routing_keys_are_not_install_keys() {
    let err = env(&[("PORTICO_HTTP_ROUTERS_A_RULE", "Host(`a`)")]).unwrap_err();
    assert_eq!(
        err.source,
        "environment variable PORTICO_HTTP_ROUTERS_A_RULE"
    );
    assert_eq!(err.path, "http");
}

#[test]
fn env_prefix_is_matched_ignoring_case_with_or_without_underscore() {
    let vars = vec![("portico_log_level".to_owned(), "DEBUG".to_owned())];
    let install = install_from_env(vars.clone(), "PORTICO").unwrap();
    assert_eq!(install.log.unwrap().level.as_deref(), Some("DEBUG"));
    let install = install_from_env(vars, "OTHER_").unwrap();
    assert_eq!(install, InstallConfig::default());
}

#[test]
fn env_empty_segment_is_refused() {
    let err = env(&[("PORTICO_LOG__LEVEL", "INFO")]).unwrap_err();
    assert_eq!(err.source, "environment variable PORTICO_LOG__LEVEL");
    assert_eq!(err.message, "empty key segment");
}

// --- flags ---

#[test]
fn bare_flag_enables_a_section_and_options_may_follow() {
    let install = flags(&[
        ("--providers.file", None),
        ("--providers.kubernetesCRD", None),
        ("--providers.kubernetesCRD.namespaces", Some("a,b")),
        ("--ping", Some("true")),
    ])
    .unwrap();
    let providers = install.providers.unwrap();
    assert_eq!(providers.file, Some(Default::default()));
    assert_eq!(
        providers.kubernetes_crd.unwrap().namespaces,
        Some(vec!["a".into(), "b".into()])
    );
    assert_eq!(install.ping, Some(Default::default()));
}

#[test]
fn flags_keep_name_case_and_match_options_ignoring_case() {
    let install = flags(&[
        ("--entrypoints.WebSecure.address", Some(":443")),
        (
            "--entryPoints.WebSecure.http.tls.domains[0].main",
            Some("a.example"),
        ),
        (
            "--ENTRYPOINTS.WebSecure.http.tls.domains[0].sans",
            Some("b.example"),
        ),
    ])
    .unwrap();
    let eps = install.entry_points.unwrap();
    let ep = &eps["WebSecure"];
    assert_eq!(ep.address.as_deref(), Some(":443"));
    let domain = &ep.http.clone().unwrap().tls.unwrap().domains.unwrap()[0];
    assert_eq!(domain.sans, Some(vec!["b.example".to_owned()]));
}

#[test]
fn flag_errors_name_the_flag() {
    let err = flags(&[
        ("--log.level", Some("INFO")),
        ("--entryPoints.web.http.tls.domains[0].mian", Some("x")),
    ])
    .unwrap_err();
    assert_eq!(
        err.source,
        "flag --entryPoints.web.http.tls.domains[0].mian"
    );
    assert_eq!(err.path, "entryPoints.web.http.tls.domains[0].mian");
    let err = flags(&[("--api.dashboard", Some("yes please"))]).unwrap_err();
    assert_eq!(err.source, "flag --api.dashboard");
    let err = flags(&[("--providers.file", Some("false"))]).unwrap_err();
    assert_eq!(err.source, "flag --providers.file");
    assert!(
        err.message.contains("cannot switch a section off"),
        "{}",
        err.message
    );
}

#[test]
fn value_and_section_on_the_same_key_conflict() {
    let err = flags(&[
        ("--log.level", Some("INFO")),
        ("--log.level.deep", Some("x")),
    ])
    .unwrap_err();
    assert_eq!(err.source, "flag --log.level.deep");
    assert!(
        err.message.starts_with("conflicts with flag --log.level"),
        "{}",
        err.message
    );
}

#[test]
fn later_flag_wins() {
    let install = flags(&[
        ("--log.level", Some("INFO")),
        ("--log.level", Some("DEBUG")),
    ])
    .unwrap();
    assert_eq!(install.log.unwrap().level.as_deref(), Some("DEBUG"));
}
