use std::time::Duration;

use crate::{
    Format,
    model::{DnsProviderKind, InstallModel, KeyType, LETS_ENCRYPT_PRODUCTION},
    parse_install,
    validate::{ValidationError, install},
};

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

const EPS: &str = "entryPoints:\n  web: {address: ':80'}\n  websecure: {address: ':443'}\n";

#[test]
fn traefik_defaults_apply() {
    let m = model(&format!(
        "{EPS}certificatesResolvers:\n  le:\n    acme:\n      httpChallenge: {{entryPoint: web}}\n"
    ))
    .unwrap();
    let le = &m.certificate_resolvers["le"];
    assert_eq!(le.name, "le");
    assert_eq!(le.ca_server, LETS_ENCRYPT_PRODUCTION);
    assert_eq!(le.storage.to_str(), Some("acme.json"));
    assert_eq!(le.key_type, KeyType::Rsa4096);
    assert_eq!(le.certificates_duration, Duration::from_secs(2160 * 3600));
    assert_eq!(le.client_timeout, Duration::from_secs(120));
    assert_eq!(le.client_response_header_timeout, Duration::from_secs(30));
    assert_eq!(le.certificate_timeout, Duration::from_secs(30));
    let http = le.http_challenge.as_ref().unwrap();
    assert_eq!(http.entry_point, "web");
    assert_eq!(http.delay, Duration::ZERO);
    assert!(le.tls_challenge.is_none() && le.dns_challenge.is_none());
    assert!(
        !m.warnings
            .iter()
            .any(|w| w.contains("certificatesResolvers")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn every_setting_is_read() {
    let m = model(&format!(
        r#"{EPS}certificatesResolvers:
  le:
    acme:
      email: ops@example.com
      caServer: https://127.0.0.1:14000/dir
      storage: /var/lib/portico/acme.json
      keyType: EC384
      certificatesDuration: 24
      preferredChain: ISRG Root X1
      profile: shortlived
      emailAddresses: [a@example.com]
      disableCommonName: true
      eab: {{kid: k1, hmacEncoded: c2VjcmV0}}
      caCertificates: [/etc/pebble.pem]
      caSystemCertPool: true
      caServerName: pebble
      clientTimeout: 10s
      clientResponseHeaderTimeout: 5s
      certificateTimeout: 7s
      httpChallenge: {{entryPoint: web, delay: 1s}}
      tlsChallenge: {{delay: 2s}}
      dnsChallenge:
        provider: exec
        resolvers: ["127.0.0.1:8053", "1.1.1.1"]
        propagation: {{disableChecks: true, disableANSChecks: true, requireAllRNS: true, delayBeforeChecks: 3s}}
  other:
    acme:
      storage: other.json
      dnsChallenge: {{provider: rfc2136, delayBeforeCheck: 4s, disablePropagationCheck: true}}
"#
    ))
    .unwrap();
    let le = &m.certificate_resolvers["le"];
    assert_eq!(le.email.as_deref(), Some("ops@example.com"));
    assert_eq!(le.ca_server, "https://127.0.0.1:14000/dir");
    assert_eq!(le.storage.to_str(), Some("/var/lib/portico/acme.json"));
    assert_eq!(le.key_type, KeyType::Ec384);
    assert_eq!(le.certificates_duration, Duration::from_secs(24 * 3600));
    assert_eq!(le.preferred_chain.as_deref(), Some("ISRG Root X1"));
    assert_eq!(le.profile.as_deref(), Some("shortlived"));
    assert_eq!(le.email_addresses, ["a@example.com"]);
    assert!(le.disable_common_name && le.ca_system_cert_pool);
    let eab = le.eab.as_ref().unwrap();
    assert_eq!(
        (eab.kid.as_str(), eab.hmac_encoded.as_str()),
        ("k1", "c2VjcmV0")
    );
    assert!(!format!("{eab:?}").contains("c2VjcmV0"), "secret redacted");
    assert_eq!(le.ca_certificates[0].to_str(), Some("/etc/pebble.pem"));
    assert_eq!(le.ca_server_name.as_deref(), Some("pebble"));
    assert_eq!(le.client_timeout, Duration::from_secs(10));
    assert_eq!(le.client_response_header_timeout, Duration::from_secs(5));
    assert_eq!(le.certificate_timeout, Duration::from_secs(7));
    assert_eq!(
        le.http_challenge.as_ref().unwrap().delay,
        Duration::from_secs(1)
    );
    assert_eq!(
        le.tls_challenge.as_ref().unwrap().delay,
        Duration::from_secs(2)
    );
    let dns = le.dns_challenge.as_ref().unwrap();
    assert_eq!(dns.provider, DnsProviderKind::Exec);
    assert_eq!(dns.resolvers, ["127.0.0.1:8053", "1.1.1.1"]);
    assert!(dns.propagation.disable_checks && dns.propagation.disable_ans_checks);
    assert!(dns.propagation.require_all_rns);
    assert_eq!(dns.propagation.delay_before_checks, Duration::from_secs(3));

    let other = m.certificate_resolvers["other"]
        .dns_challenge
        .clone()
        .unwrap();
    assert_eq!(other.provider, DnsProviderKind::Rfc2136);
    assert!(
        other.propagation.disable_checks,
        "deprecated spelling applies"
    );
    assert_eq!(
        other.propagation.delay_before_checks,
        Duration::from_secs(4)
    );
    assert!(m.warnings.iter().any(|w| w.contains("deprecated")));
}

#[test]
fn unknown_key_type_is_rejected() {
    let e = errors(&format!(
        "{EPS}certificatesResolvers:\n  le:\n    acme:\n      keyType: RSA1024\n      tlsChallenge: {{}}\n"
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("certificatesResolvers.le.acme.keyType: unknown key type \"RSA1024\"")
    );
}

#[test]
fn a_resolver_without_challenge_loads_with_a_warning() {
    // Traefik's own `ref-acme.yaml` writes `tlsChallenge:` (null, unset): it loads.
    let m = model(&format!(
        "{EPS}certificatesResolvers:\n  le:\n    acme:\n      email: a@b.c\n      tlsChallenge:\n"
    ))
    .expect("loads");
    let resolver = &m.certificate_resolvers["le"];
    assert!(resolver.tls_challenge.is_none() && resolver.http_challenge.is_none());
    assert!(
        m.warnings
            .iter()
            .any(|w| w.starts_with("certificatesResolvers.le.acme: no challenge configured")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn http_challenge_needs_an_existing_entrypoint() {
    let e = errors(&format!(
        "{EPS}certificatesResolvers:\n  le:\n    acme:\n      httpChallenge: {{entryPoint: nope}}\n"
    ));
    assert_eq!(
        e,
        [
            "certificatesResolvers.le.acme.httpChallenge.entryPoint: entrypoint \"nope\" does not exist"
        ]
    );
    let e = errors(&format!(
        "{EPS}certificatesResolvers:\n  le:\n    acme:\n      httpChallenge: {{}}\n"
    ));
    assert_eq!(
        e,
        ["certificatesResolvers.le.acme.httpChallenge.entryPoint: entryPoint is required"]
    );
}

#[test]
fn unsupported_dns_provider_is_rejected() {
    let e = errors(&format!(
        "{EPS}certificatesResolvers:\n  le:\n    acme:\n      dnsChallenge: {{provider: cloudflare}}\n"
    ));
    assert_eq!(
        e,
        [
            "certificatesResolvers.le.acme.dnsChallenge.provider: unsupported DNS provider \"cloudflare\" (expected exec or rfc2136)"
        ]
    );
}

#[test]
fn bad_values_are_all_reported() {
    let e = errors(&format!(
        r#"{EPS}certificatesResolvers:
  le:
    acme:
      caServer: acme.example.com
      certificatesDuration: 0
      clientTimeout: -1s
      eab: {{kid: k}}
      tlsChallenge: {{}}
"#
    ));
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(
        e.iter()
            .any(|e| e.contains("acme.caServer: invalid directory URL"))
    );
    assert!(
        e.iter()
            .any(|e| e.contains("certificatesDuration: must be a positive"))
    );
    assert!(
        e.iter()
            .any(|e| e.contains("clientTimeout: negative duration"))
    );
    assert!(
        e.iter()
            .any(|e| e.contains("eab: kid and hmacEncoded are required"))
    );
}

#[test]
fn entrypoint_cert_resolver_must_exist() {
    let yaml = "entryPoints:\n  websecure:\n    address: ':443'\n    http:\n      tls: {certResolver: le}\n";
    assert_eq!(
        errors(yaml),
        ["entryPoints.websecure.http.tls.certResolver: certificate resolver \"le\" does not exist"]
    );
    let ok = format!("{yaml}certificatesResolvers:\n  le:\n    acme:\n      tlsChallenge: {{}}\n");
    let m = model(&ok).unwrap();
    assert!(m.certificate_resolvers.contains_key("le"));
}

#[test]
fn tailscale_resolvers_are_warned_about() {
    let m = model("certificatesResolvers:\n  ts:\n    tailscale: {}\n").unwrap();
    assert!(m.certificate_resolvers.is_empty());
    assert!(
        m.warnings
            .iter()
            .any(|w| w.starts_with("certificatesResolvers.ts.tailscale: not supported"))
    );
}

#[test]
fn traefik_reference_yaml_null_challenge_loads_unset_toml_empty_table_is_set() {
    // docs/content/https/ref-acme.{yaml,toml} (conformance corpus, INDEX.md note 4):
    // both load, as in Traefik; the YAML one has no challenge and says so.
    let yaml = "certificatesResolvers:\n  myresolver:\n    acme:\n      email: \"test@example.com\"\n      storage: \"acme.json\"\n      tlsChallenge:\n";
    let m = model(yaml).expect("loads");
    assert!(
        m.certificate_resolvers["myresolver"]
            .tls_challenge
            .is_none()
    );
    assert!(
        m.warnings.iter().any(|w| w.contains("`tlsChallenge: {}`")),
        "{:?}",
        m.warnings
    );

    let toml = "[certificatesResolvers.myresolver.acme]\n  email = \"test@example.com\"\n  storage = \"acme.json\"\n  [certificatesResolvers.myresolver.acme.tlsChallenge]\n";
    let raw = parse_install(toml, Format::Toml, "ref-acme.toml").unwrap();
    let m = install(&raw).unwrap();
    assert!(
        m.certificate_resolvers["myresolver"]
            .tls_challenge
            .is_some()
    );
}
