use std::time::Duration;

use super::*;
use crate::{Format, parse_install};

fn model(yaml: &str) -> Result<InstallModel, Vec<ValidationError>> {
    install(&parse_install(yaml, Format::Yaml, "test.yaml").expect("parses"))
}

fn errors(yaml: &str) -> Vec<String> {
    model(yaml)
        .expect_err("must be rejected")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn traefik_defaults_apply() {
    let m = model("entryPoints:\n  web:\n    address: ':8080'\n").unwrap();
    let web = &m.entry_points["web"];
    assert_eq!(web.timeouts.read, Some(Duration::from_secs(60)));
    assert_eq!(web.timeouts.write, None);
    assert_eq!(web.timeouts.idle, Some(Duration::from_secs(180)));
    assert_eq!(web.life_cycle.grace, Duration::from_secs(10));
    assert_eq!(web.life_cycle.request_accept_grace, Duration::ZERO);
    assert!(web.http.sanitize_path);
    assert_eq!(web.http.max_header_bytes, 1 << 20);
    assert_eq!(m.log.level, "error");
    assert_eq!(m.providers.throttle, Duration::from_secs(2));
    assert_eq!(m.servers_transport.max_idle_conns_per_host, 200);
}

#[test]
fn every_entrypoint_setting_is_read() {
    let m = model(
        r#"
entryPoints:
  web:
    address: "127.0.0.1:8080/tcp"
    asDefault: true
    reusePort: true
    transport:
      respondingTimeouts: {readTimeout: 5s, writeTimeout: 7, idleTimeout: 0}
      lifeCycle: {requestAcceptGraceTimeout: 1s, graceTimeOut: 2s}
    forwardedHeaders:
      trustedIPs: ["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"]
    http:
      sanitizePath: false
      encodeQuerySemicolons: true
      maxHeaderBytes: 4096
      middlewares: [auth@file]
    http2: {maxConcurrentStreams: 10}
providers:
  providersThrottleDuration: 100ms
  file: {directory: /etc/portico/dynamic, watch: false}
log: {level: DEBUG, format: json}
serversTransport:
  maxIdleConnsPerHost: 0
  forwardingTimeouts: {dialTimeout: 3s, responseHeaderTimeout: 4s}
core: {defaultRuleSyntax: v2}
"#,
    )
    .unwrap();
    let web = &m.entry_points["web"];
    assert!(web.as_default && web.reuse_port);
    assert_eq!(web.timeouts.read, Some(Duration::from_secs(5)));
    assert_eq!(web.timeouts.write, Some(Duration::from_secs(7)));
    assert_eq!(web.timeouts.idle, None, "0 means no limit");
    assert_eq!(web.life_cycle.request_accept_grace, Duration::from_secs(1));
    assert_eq!(web.life_cycle.grace, Duration::from_secs(2));
    assert_eq!(web.forwarded_headers.trusted_ips.len(), 3);
    assert_eq!(
        web.forwarded_headers.trusted_ips[1].to_string(),
        "192.0.2.1/32"
    );
    assert!(!web.http.sanitize_path && web.http.encode_query_semicolons);
    assert_eq!(web.http.max_header_bytes, 4096);
    assert_eq!(web.http.middlewares, ["auth@file"]);
    assert_eq!(web.http.max_concurrent_streams, 10);
    assert_eq!(m.providers.throttle, Duration::from_millis(100));
    let file = m.providers.file.as_ref().unwrap();
    assert_eq!(
        file.directory.as_deref(),
        Some(std::path::Path::new("/etc/portico/dynamic"))
    );
    assert!(!file.watch);
    assert_eq!(m.log.level, "debug");
    assert_eq!(m.log.format, LogFormat::Json);
    assert_eq!(m.servers_transport.max_idle_conns_per_host, 2);
    assert_eq!(
        m.servers_transport.dial_timeout,
        Some(Duration::from_secs(3))
    );
    assert_eq!(
        m.servers_transport.response_header_timeout,
        Some(Duration::from_secs(4))
    );
    assert_eq!(m.default_rule_syntax, Syntax::V2);
}

#[test]
fn implicit_http_entrypoint() {
    let m = model("log: {level: INFO}\n").unwrap();
    assert_eq!(m.entry_points.len(), 1);
    assert_eq!(
        m.entry_points["http"].address,
        ListenAddress::AllInterfaces { port: 80 }
    );
}

#[test]
fn all_errors_are_collected_with_key_paths() {
    let e = errors(
        r#"
entryPoints:
  a: {address: "nope"}
  b: {}
  c:
    address: ":1"
    transport: {respondingTimeouts: {readTimeout: -1s}}
    forwardedHeaders: {trustedIPs: ["10.0.0.0/8", "not-an-ip"]}
    http2: {maxConcurrentStreams: 0}
providers:
  file: {filename: a.yaml, directory: d}
log: {level: LOUD, format: xml}
"#,
    );
    let expect = [
        "entryPoints.a.address: invalid address \"nope\"",
        "entryPoints.b.address: address is required",
        "entryPoints.c.transport.respondingTimeouts.readTimeout: negative duration",
        "entryPoints.c.forwardedHeaders.trustedIPs[1]: invalid IP or CIDR \"not-an-ip\"",
        "entryPoints.c.http2.maxConcurrentStreams: must be greater than 0",
        "providers.file: set filename or directory, not both",
        "log.level: unknown level \"LOUD\"",
        "log.format: unknown format \"xml\"",
    ];
    for want in expect {
        assert!(
            e.iter().any(|line| line.starts_with(want)),
            "missing {want:?} in {e:#?}"
        );
    }
    assert_eq!(e.len(), expect.len(), "{e:#?}");
}

#[test]
fn unsupported_sections_are_warnings_not_silence() {
    let m = model("entryPoints:\n  web:\n    address: ':80'\n    proxyProtocol: {insecure: true}\nproviders:\n  docker: {}\napi: {dashboard: true}\n").unwrap();
    let w = m.warnings.join("\n");
    assert!(w.contains("entryPoints.web.proxyProtocol"), "{w}");
    assert!(w.contains("providers.docker"), "{w}");
    assert!(w.contains("api"), "{w}");
}

#[test]
fn redirections_and_entrypoint_tls() {
    let m = model(
        r#"
entryPoints:
  web:
    address: ":80"
    http:
      redirections:
        entryPoint: {to: websecure}
  alt:
    address: ":81"
    http:
      redirections:
        entryPoint: {to: ":8443", scheme: https, permanent: false}
  websecure:
    address: ":443"
    http:
      tls: {options: modern}
"#,
    )
    .unwrap();
    let web = m.entry_points["web"].redirect.as_ref().unwrap();
    assert_eq!(
        (web.port, web.scheme.as_str(), web.permanent),
        (443, "https", true)
    );
    assert_eq!(web.entry_point.as_deref(), Some("websecure"));
    let alt = m.entry_points["alt"].redirect.as_ref().unwrap();
    assert_eq!(
        (alt.port, alt.permanent, alt.entry_point.as_deref()),
        (8443, false, None)
    );
    assert_eq!(
        m.entry_points["websecure"]
            .tls
            .as_ref()
            .unwrap()
            .options
            .as_deref(),
        Some("modern")
    );
    let e = errors(
        "entryPoints:\n  web:\n    address: ':80'\n    http:\n      redirections:\n        entryPoint: {to: nowhere}\n",
    );
    assert!(
        e[0].contains("redirections.entryPoint.to") && e[0].contains("\"nowhere\""),
        "{e:?}"
    );
}
