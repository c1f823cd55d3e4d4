//! The Traefik v3 configuration corpus (`tests/data/conformance/traefik-configs`)
//! through service and transport validation: every service and transport of a real
//! configuration is valid, except the placeholders of the generated references and
//! what Portico documents as unsupported.

// Helpers outside `#[test]` functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use portico_config::model::{FlushInterval, RoutingModel, ServiceSpec};
use portico_config::{Format, parse_routing, validate};

/// Every dynamic file and every `combined-*` static file, validated as the file
/// provider's routing configuration, service graph checked.
fn corpus() -> Vec<(String, RoutingModel)> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/conformance/traefik-configs");
    let mut out = Vec::new();
    for folder in ["dynamic", "static"] {
        let mut paths: Vec<_> = fs::read_dir(dir.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if folder == "static" && !name.starts_with("combined-") {
                continue;
            }
            let Some(format) = Format::from_path(&path) else {
                continue;
            };
            let text = fs::read_to_string(&path).unwrap();
            let raw = parse_routing(&text, format, &name).unwrap();
            let mut model = validate::routing("file", &raw, &Default::default());
            validate::service_graph(&mut model);
            out.push((name, model));
        }
    }
    assert_eq!(out.len(), 19, "14 dynamic and 5 combined files");
    out
}

/// `file: object` for every invalid service and transport.
fn failures(corpus: &[(String, RoutingModel)]) -> Vec<String> {
    let mut out = Vec::new();
    for (file, model) in corpus {
        for (name, result) in &model.services {
            if result.is_err() {
                out.push(format!("{file}: service {name}"));
            }
        }
        for (name, result) in &model.servers_transports {
            if result.is_err() {
                out.push(format!("{file}: serversTransport {name}"));
            }
        }
    }
    out
}

#[test]
fn only_placeholders_and_documented_refusals_fail() {
    let corpus = corpus();
    let expected = [
        // `spiffe` is not supported; `certificates` are written as bare paths where
        // Traefik's type is a list of {certFile, keyFile}.
        "serverstransport-all-options.yaml: serversTransport mytransport@file",
        // The generated references: `foobar` everywhere (unknown services, strategy,
        // sameSite, mode, TLS versions, ...), and `spiffe`.
        "reference-all-options.toml: service Service01@file",
        "reference-all-options.toml: service Service02@file",
        "reference-all-options.toml: service Service03@file",
        "reference-all-options.toml: service Service04@file",
        "reference-all-options.toml: service Service05@file",
        "reference-all-options.toml: serversTransport ServersTransport0@file",
        "reference-all-options.toml: serversTransport ServersTransport1@file",
        "reference-all-options.yaml: service Service01@file",
        "reference-all-options.yaml: service Service02@file",
        "reference-all-options.yaml: service Service03@file",
        "reference-all-options.yaml: service Service04@file",
        "reference-all-options.yaml: service Service05@file",
        "reference-all-options.yaml: serversTransport ServersTransport0@file",
        "reference-all-options.yaml: serversTransport ServersTransport1@file",
    ];
    let mut found = failures(&corpus);
    found.sort();
    let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    if found != expected {
        for (file, model) in &corpus {
            for (name, errors) in model
                .services
                .iter()
                .filter_map(|(n, r)| Some((n, r.as_ref().err()?)))
            {
                eprintln!("{file}: {name}: {errors:#?}");
            }
            for (name, errors) in model
                .servers_transports
                .iter()
                .filter_map(|(n, r)| Some((n, r.as_ref().err()?)))
            {
                eprintln!("{file}: {name}: {errors:#?}");
            }
        }
    }
    assert_eq!(found, expected);
}

#[test]
fn the_refusals_say_why() {
    let corpus = corpus();
    let transport = corpus
        .iter()
        .find(|(f, _)| f == "serverstransport-all-options.yaml")
        .and_then(|(_, m)| m.servers_transports.values().next())
        .unwrap()
        .as_ref()
        .unwrap_err();
    assert_eq!(
        transport,
        &[
            "http.serversTransports.mytransport.certificates[0]: expected a certFile and keyFile pair, found the bare value \"/path/to/cert1.pem\"",
            "http.serversTransports.mytransport.certificates[1]: expected a certFile and keyFile pair, found the bare value \"/path/to/cert2.pem\"",
            "http.serversTransports.mytransport.spiffe: SPIFFE verification of servers is not supported by this Portico version",
        ]
    );
}

#[test]
fn nested_and_composite_services_come_out_typed() {
    let corpus = corpus();
    let model = |file: &str| &corpus.iter().find(|(f, _)| f == file).unwrap().1;
    let service = |file: &str, name: &str| {
        model(file)
            .services
            .iter()
            .find(|(q, _)| q.name() == name)
            .unwrap()
            .1
            .clone()
            .unwrap()
    };

    let ServiceSpec::Failover(app) = service("services-failover-nested-healthcheck.yaml", "app")
    else {
        panic!("app is a failover service")
    };
    assert!(app.health_check);
    assert_eq!(app.service.as_str(), "primary-failover@file");
    let ServiceSpec::LoadBalancer(primary) =
        service("services-failover-nested-healthcheck.yaml", "primary")
    else {
        panic!("primary is a load balancer")
    };
    let hc = primary.health_check.unwrap();
    assert_eq!(hc.path.as_deref(), Some("/health"));
    assert_eq!(hc.interval.as_secs(), 10);
    assert_eq!(hc.unhealthy_interval.as_secs(), 10);
    assert_eq!(hc.timeout.as_secs(), 3);

    let ServiceSpec::Weighted(wrr) = service("services-weighted-sticky-nested.yaml", "wrr1") else {
        panic!("wrr1 is weighted")
    };
    assert_eq!(wrr.sticky.unwrap().name, "lvl1");
    let ServiceSpec::LoadBalancer(whoami) =
        service("services-weighted-sticky-nested.yaml", "whoami1")
    else {
        panic!("whoami1 is a load balancer")
    };
    assert_eq!(whoami.sticky.unwrap().name, "lvl2");

    let ServiceSpec::Mirroring(mirror) = service(
        "combined-mirroring-percent-maxbody.toml",
        "mirrorWithMaxBody",
    ) else {
        panic!("a mirroring service")
    };
    assert_eq!(mirror.max_body_size, Some(8));
    let percents: Vec<u8> = mirror.mirrors.iter().map(|(_, p)| *p).collect();
    assert_eq!(percents, [10, 50]);

    let ServiceSpec::LoadBalancer(empty) =
        service("catchall-503-empty-servers.yaml", "unavailable")
    else {
        panic!("a load balancer")
    };
    assert!(empty.servers.is_empty());
    assert_eq!(empty.flush_interval, FlushInterval::DEFAULT);
}
