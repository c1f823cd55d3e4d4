//! The Traefik v3 configuration corpus (`tests/data/conformance/traefik-configs`):
//! every static file parses as install configuration, every dynamic and
//! `combined-*` file as routing configuration, and nothing written is lost.

// Helpers outside `#[test]` functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use portico_config::raw::install::{Acme, CertificateResolver, TlsChallenge};
use portico_config::raw::routing::{
    HttpConfig, LoadBalancer, Middleware, Router, RouterTls, Server, Service, TlsConfig, TlsOptions,
};
use portico_config::raw::{ClientCertificate, Opaque, RoutingConfig};
use portico_config::{Format, parse_install, parse_routing};
use serde_json::{Value, json};

const ROUTING_ROOTS: [&str; 4] = ["http", "tcp", "udp", "tls"];

fn corpus_dir() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/conformance/traefik-configs");
    assert!(
        dir.join("static").is_dir() && dir.join("dynamic").is_dir(),
        "the Traefik configuration corpus is missing: expected {} with static/ and dynamic/",
        dir.display()
    );
    dir
}

/// The corpus files of one folder, with their formats.
fn files(folder: &str) -> Vec<(PathBuf, Format, String)> {
    let mut files: Vec<_> = fs::read_dir(corpus_dir().join(folder))
        .unwrap_or_else(|err| panic!("cannot list corpus folder {folder}: {err}"))
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let format = Format::from_path(&path)?;
            let text = fs::read_to_string(&path).unwrap();
            Some((path, format, text))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn read(folder: &str, file: &str) -> String {
    fs::read_to_string(corpus_dir().join(folder).join(file)).unwrap()
}

/// The document as a JSON tree, as written.
fn source_tree(text: &str, format: Format) -> Value {
    match format {
        Format::Yaml => serde_yaml::from_str(text).unwrap(),
        Format::Toml => serde_json::to_value(toml::from_str::<toml::Value>(text).unwrap()).unwrap(),
    }
}

/// Every key path of a tree (list elements as `[]`); null values count as absent.
fn key_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if child.is_null() {
                    continue;
                }
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                key_paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                key_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// Key paths of `tree` under the roots `keep` selects.
fn paths_of(tree: &Value, keep: impl Fn(&str) -> bool, lower: bool) -> BTreeSet<String> {
    let mut filtered = serde_json::Map::new();
    if let Value::Object(map) = tree {
        for (key, value) in map {
            if keep(key) {
                filtered.insert(key.clone(), value.clone());
            }
        }
    }
    let mut out = BTreeSet::new();
    key_paths(&Value::Object(filtered), "", &mut out);
    if lower {
        out.into_iter().map(|p| p.to_ascii_lowercase()).collect()
    } else {
        out
    }
}

/// Fails with the paths lost and the paths added, if any.
fn assert_same_keys(kept: &BTreeSet<String>, written: &BTreeSet<String>, file: &Path) {
    let lost: Vec<_> = written.difference(kept).collect();
    let added: Vec<_> = kept.difference(written).collect();
    assert!(
        lost.is_empty() && added.is_empty(),
        "{}: keys lost {lost:?}, keys added {added:?}",
        name(file)
    );
    assert!(!written.is_empty(), "{}: no keys read", name(file));
}

fn is_routing_root(key: &str) -> bool {
    ROUTING_ROOTS
        .iter()
        .any(|root| root.eq_ignore_ascii_case(key))
}

/// Reference files must come back with Traefik's exact spelling.
fn exact(path: &Path) -> bool {
    name(path).starts_with("reference-all-options")
}

// --- every file parses ---

#[test]
fn every_static_file_parses_as_install_configuration() {
    let files = files("static");
    assert_eq!(files.len(), 16, "expected the 16 static corpus files");
    for (path, format, text) in files {
        let name = name(&path);
        if let Err(err) = parse_install(&text, format, &name) {
            panic!("{err}");
        }
    }
}

#[test]
fn every_dynamic_and_combined_file_parses_as_routing_configuration() {
    let dynamic = files("dynamic");
    assert_eq!(dynamic.len(), 14, "expected the 14 dynamic corpus files");
    let combined: Vec<_> = files("static")
        .into_iter()
        .filter(|(path, _, _)| name(path).starts_with("combined-"))
        .collect();
    assert_eq!(combined.len(), 5, "expected the 5 combined corpus files");
    for (path, format, text) in dynamic.into_iter().chain(combined) {
        let name = name(&path);
        if let Err(err) = parse_routing(&text, format, &name) {
            panic!("{err}");
        }
    }
}

// --- nothing is lost, nothing is added ---

#[test]
fn install_model_keeps_every_static_key() {
    for (path, format, text) in files("static") {
        let lower = !exact(&path);
        let model = parse_install(&text, format, &name(&path)).unwrap();
        let written = paths_of(&source_tree(&text, format), |k| !is_routing_root(k), lower);
        let kept = paths_of(&serde_json::to_value(&model).unwrap(), |_| true, lower);
        assert_same_keys(&kept, &written, &path);
    }
}

#[test]
fn routing_model_keeps_every_dynamic_key() {
    let combined = files("static")
        .into_iter()
        .filter(|(path, _, _)| name(path).starts_with("combined-"));
    for (path, format, text) in files("dynamic").into_iter().chain(combined) {
        let lower = !exact(&path);
        let model = parse_routing(&text, format, &name(&path)).unwrap();
        let written = paths_of(&source_tree(&text, format), is_routing_root, lower);
        let kept = paths_of(&serde_json::to_value(&model).unwrap(), |_| true, lower);
        assert_same_keys(&kept, &written, &path);
    }
}

// --- what particular files ask of the loader (INDEX.md) ---

#[test]
fn yaml_null_challenge_is_unset_and_toml_empty_table_is_set() {
    let resolver = |text: &str, format| -> CertificateResolver {
        let install = parse_install(text, format, "acme").unwrap();
        install.certificates_resolvers.unwrap()["myresolver"].clone()
    };
    let yaml = resolver(
        &read("static", "acme-resolver-reference.yaml"),
        Format::Yaml,
    );
    let toml = resolver(
        &read("static", "acme-resolver-reference.toml"),
        Format::Toml,
    );
    let expected = |tls_challenge| CertificateResolver {
        acme: Some(Acme {
            email: Some("test@example.com".into()),
            storage: Some("acme.json".into()),
            tls_challenge,
            ..Acme::default()
        }),
        tailscale: None,
    };
    assert_eq!(yaml, expected(None));
    assert_eq!(toml, expected(Some(TlsChallenge::default())));
}

#[test]
fn empty_maps_switch_features_on() {
    let install = parse_install(
        &read("static", "observability-enabled-by-empty-maps.yml"),
        Format::Yaml,
        "o",
    )
    .unwrap();
    assert_eq!(install.access_log, Some(Default::default()));
    assert_eq!(install.tracing, Some(Opaque(json!({}))));
    assert_eq!(install.metrics.unwrap().otlp, Some(Opaque(json!({}))));
    let boot = parse_install(
        &read("static", "boot-entrypoints-docker-api-log.yml"),
        Format::Yaml,
        "b",
    )
    .unwrap();
    assert_eq!(boot.providers.unwrap().docker, Some(Opaque(json!({}))));
}

#[test]
fn empty_servers_map_is_no_servers() {
    let routing = parse_routing(
        &read("dynamic", "catchall-503-empty-servers.yaml"),
        Format::Yaml,
        "c",
    )
    .unwrap();
    let services = routing.http.unwrap().services.unwrap();
    assert_eq!(
        services["unavailable"]
            .load_balancer
            .as_ref()
            .unwrap()
            .servers,
        Some(vec![])
    );
}

#[test]
fn mixed_case_option_names_and_case_kept_header_names() {
    let text = read("static", "combined-headers-cors-mixed-case-keys.toml");
    let routing = parse_routing(&text, Format::Toml, "cors").unwrap();
    let middlewares = routing.http.unwrap().middlewares.unwrap();
    let headers = middlewares["nocors"].headers.clone().unwrap();
    let custom = headers.custom_response_headers.unwrap();
    assert_eq!(
        custom.get("X-Custom-Response-Header").map(String::as_str),
        Some("True")
    );
    let cors = middlewares["cors"].headers.clone().unwrap();
    assert_eq!(cors.access_control_max_age, Some(100));
}

#[test]
fn status_rewrite_keys_are_strings() {
    let text = read("static", "combined-errors-status-rewrites-bad-port.toml");
    let routing = parse_routing(&text, Format::Toml, "errors").unwrap();
    let errors = routing.http.unwrap().middlewares.unwrap()["error"]
        .errors
        .clone()
        .unwrap();
    let rewrites = errors.status_rewrites.unwrap();
    assert_eq!(
        rewrites,
        BTreeMap::from([("418".to_owned(), 400), ("500-502".to_owned(), 404)])
    );
}

#[test]
fn certificate_paths_where_pairs_belong_are_kept_as_paths() {
    let routing = parse_routing(
        &read("dynamic", "serverstransport-all-options.yaml"),
        Format::Yaml,
        "st",
    )
    .unwrap();
    let transports = routing.http.unwrap().servers_transports.unwrap();
    assert_eq!(
        transports["mytransport"].certificates,
        Some(vec![
            ClientCertificate::Path("/path/to/cert1.pem".into()),
            ClientCertificate::Path("/path/to/cert2.pem".into()),
        ])
    );
}

// --- golden ---

#[test]
fn golden_router_headers_tls_options() {
    let text = read("dynamic", "router-secure-headers-tls-options.yaml");
    let got = parse_routing(
        &text,
        Format::Yaml,
        "router-secure-headers-tls-options.yaml",
    )
    .unwrap();
    let expected = RoutingConfig {
        http: Some(HttpConfig {
            routers: Some(BTreeMap::from([(
                "app".to_owned(),
                Router {
                    rule: Some("Host(`secure.example.com`)".into()),
                    entry_points: Some(vec!["websecure".into()]),
                    middlewares: Some(vec!["secure-headers".into()]),
                    service: Some("app".into()),
                    tls: Some(RouterTls {
                        options: Some("modern".into()),
                        ..RouterTls::default()
                    }),
                    ..Router::default()
                },
            )])),
            middlewares: Some(BTreeMap::from([(
                "secure-headers".to_owned(),
                Middleware {
                    headers: Some(portico_config::raw::routing::Headers {
                        sts_seconds: Some(31_536_000),
                        force_sts_header: Some(true),
                        ..Default::default()
                    }),
                    ..Middleware::default()
                },
            )])),
            services: Some(BTreeMap::from([(
                "app".to_owned(),
                Service {
                    load_balancer: Some(LoadBalancer {
                        servers: Some(vec![Server {
                            url: Some("http://127.0.0.1:8080".into()),
                            ..Server::default()
                        }]),
                        ..LoadBalancer::default()
                    }),
                    ..Service::default()
                },
            )])),
            servers_transports: None,
        }),
        tcp: None,
        udp: None,
        tls: Some(TlsConfig {
            options: Some(BTreeMap::from([(
                "modern".to_owned(),
                TlsOptions {
                    min_version: Some("VersionTLS12".into()),
                    sni_strict: Some(true),
                    ..TlsOptions::default()
                },
            )])),
            ..TlsConfig::default()
        }),
    };
    assert_eq!(got, expected);
}

// --- must reject ---

#[test]
fn rejects_unknown_key_with_path_and_line() {
    let text = "http:\n  services:\n    app:\n      loadBalancer:\n        servers:\n          - url: http://a\n            wieght: 2\n";
    let err = parse_routing(text, Format::Yaml, "d.yml").unwrap_err();
    assert_eq!(err.path, "http.services.app.loadBalancer.servers[0].wieght");
    assert_eq!((err.line, err.column), (Some(7), Some(13)));
    assert!(
        err.message
            .starts_with("unknown field `wieght`, expected one of `url`, `weight`, `preservePath`")
    );
}

#[test]
fn rejects_wrong_type() {
    let err = parse_install(
        "[ping]\nterminatingStatusCode = [503]\n",
        Format::Toml,
        "t.toml",
    )
    .unwrap_err();
    assert_eq!(err.path, "ping.terminatingStatusCode");
    assert_eq!(err.line, Some(2));
    assert_eq!(err.message, "invalid type: sequence, expected i64");
}

#[test]
fn rejects_bad_duration() {
    let text = "http:\n  services:\n    s:\n      loadBalancer:\n        healthCheck:\n          interval: 10 seconds\n";
    let err = parse_routing(text, Format::Yaml, "d.yml").unwrap_err();
    assert_eq!(
        err.path,
        "http.services.s.loadBalancer.healthCheck.interval"
    );
    assert_eq!(err.line, Some(6));
    assert!(
        err.message.starts_with("invalid duration `10 seconds`"),
        "{}",
        err.message
    );
}

#[test]
fn rejects_toml_syntax_error() {
    let err = parse_routing(
        "[http.routers.a]\nrule = \"Host(`a`)\n",
        Format::Toml,
        "d.toml",
    )
    .unwrap_err();
    assert_eq!(err.source, "d.toml");
    assert_eq!(err.line, Some(2));
    assert!(err.to_string().starts_with("d.toml:2:"), "{err}");
}

#[test]
fn rejects_yaml_syntax_error() {
    let err = parse_install(
        "api:\n  dashboard: true\n insecure: true\n",
        Format::Yaml,
        "t.yml",
    )
    .unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    assert!(!err.message.is_empty());
}

#[test]
fn rejects_unknown_routing_root() {
    let err = parse_routing("https:\n  routers: {}\n", Format::Yaml, "d.yml").unwrap_err();
    assert_eq!(err.path, "https");
    assert!(
        err.message.starts_with("unknown field `https`"),
        "{}",
        err.message
    );
}
