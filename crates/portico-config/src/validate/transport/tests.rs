use std::time::Duration;

use crate::{
    Format,
    model::{ForwardingTimeoutsSpec, QualifiedName, ServersTransportSpec, tls::CertificateSpec},
    parse_routing,
    validate::routing,
};

/// Validates `body` as `http.serversTransports.t` of the file provider.
fn validate(body: &str) -> Result<ServersTransportSpec, Vec<String>> {
    let indented: String = body.lines().map(|l| format!("      {l}\n")).collect();
    let text = format!("http:\n  serversTransports:\n    t:\n{indented}");
    let raw = parse_routing(&text, Format::Yaml, "test.yaml").unwrap();
    let mut model = routing("file", &raw, &Default::default());
    assert!(
        model.warnings.is_empty(),
        "transports are validated, not ignored: {:?}",
        model.warnings
    );
    model
        .servers_transports
        .remove(&QualifiedName::new("t", "file"))
        .unwrap()
}

#[test]
fn an_empty_transport_has_the_defaults() {
    let spec = validate("{}").unwrap();
    assert_eq!(spec, ServersTransportSpec::default());
    assert_eq!(spec.max_idle_conns_per_host, 200);
    assert_eq!(
        spec.forwarding_timeouts,
        ForwardingTimeoutsSpec {
            dial_timeout: Some(Duration::from_secs(30)),
            response_header_timeout: None,
            idle_conn_timeout: Some(Duration::from_secs(90)),
            read_idle_timeout: None,
            ping_timeout: Duration::from_secs(15),
        }
    );
    assert!(spec.root_cas.is_empty() && spec.certificates.is_empty());
    assert!(spec.peer_cert_sans.is_empty() && spec.cipher_suites.is_empty());
    assert!(spec.server_name.is_none() && spec.min_version.is_none());
}

#[test]
fn every_option() {
    let spec = validate(
        "serverName: backend.internal
insecureSkipVerify: true
rootCAs:
  - /etc/ca.pem
  - |
    -----BEGIN CERTIFICATE-----
    MIIB
    -----END CERTIFICATE-----
certificates:
  - certFile: /etc/client.pem
    keyFile: /etc/client.key
cipherSuites:
  - tls_ecdhe_rsa_with_aes_128_gcm_sha256
  - TLS_AES_256_GCM_SHA384
minVersion: versiontls12
maxVersion: VersionTLS13
maxIdleConnsPerHost: 7
forwardingTimeouts:
  dialTimeout: 5s
  responseHeaderTimeout: 10s
  idleConnTimeout: 0s
  readIdleTimeout: 20s
  pingTimeout: 3s
disableHTTP2: true
peerCertSANs:
  - type: DNSName
    value: backend.example
  - type: uri
    value: spiffe://example.org/peer
peerCertURI: spiffe://example.org/legacy
",
    )
    .unwrap();
    assert_eq!(
        spec,
        ServersTransportSpec {
            server_name: Some("backend.internal".into()),
            insecure_skip_verify: true,
            root_cas: vec![
                "/etc/ca.pem".into(),
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into(),
            ],
            certificates: vec![CertificateSpec {
                cert: "/etc/client.pem".into(),
                key: "/etc/client.key".into(),
                origin: "http.serversTransports.t.certificates[0]@file".into(),
            }],
            min_version: Some("VersionTLS12".into()),
            max_version: Some("VersionTLS13".into()),
            cipher_suites: vec![
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into(),
                "TLS_AES_256_GCM_SHA384".into(),
            ],
            max_idle_conns_per_host: 7,
            forwarding_timeouts: ForwardingTimeoutsSpec {
                dial_timeout: Some(Duration::from_secs(5)),
                response_header_timeout: Some(Duration::from_secs(10)),
                idle_conn_timeout: None,
                read_idle_timeout: Some(Duration::from_secs(20)),
                ping_timeout: Duration::from_secs(3),
            },
            disable_http2: true,
            peer_cert_sans: vec![
                "backend.example".into(),
                "spiffe://example.org/peer".into(),
                "spiffe://example.org/legacy".into(),
            ],
        }
    );
}

#[test]
fn zero_idle_connections_and_zero_ping_timeout_mean_the_defaults() {
    let spec = validate(
        "maxIdleConnsPerHost: 0\nforwardingTimeouts:\n  pingTimeout: 0s\n  dialTimeout: 0s\n",
    )
    .unwrap();
    assert_eq!(spec.max_idle_conns_per_host, 200);
    assert_eq!(
        spec.forwarding_timeouts.ping_timeout,
        Duration::from_secs(15)
    );
    assert_eq!(spec.forwarding_timeouts.dial_timeout, None, "0: no limit");
}

#[test]
fn refusals_name_their_key() {
    let errors = validate(
        "rootCAs: ['  ']
certificates:
  - /etc/cert.pem
  - certFile: /etc/c.pem
cipherSuites: [TLS_NOPE]
minVersion: VersionTLS13
maxVersion: VersionTLS12
maxIdleConnsPerHost: -1
forwardingTimeouts:
  dialTimeout: -1s
  pingTimeout: -2s
peerCertSANs:
  - type: IP
    value: 10.0.0.1
  - type: URI
spiffe:
  trustDomain: example.org
",
    )
    .unwrap_err();
    let p = "http.serversTransports.t";
    let expected = [
        format!("{p}.rootCAs[0]: empty value (expected a file path or PEM)"),
        format!(
            "{p}.certificates[0]: expected a certFile and keyFile pair, found the bare value \"/etc/cert.pem\""
        ),
        format!("{p}.certificates[1]: certFile and keyFile are both required"),
        format!("{p}.maxVersion: VersionTLS12 is below minVersion VersionTLS13"),
        format!("{p}.cipherSuites[0]: unknown cipher suite \"TLS_NOPE\""),
        format!("{p}.maxIdleConnsPerHost: must not be negative, found -1"),
        format!("{p}.forwardingTimeouts.dialTimeout: must not be negative, found -1s"),
        format!("{p}.forwardingTimeouts.pingTimeout: must not be negative, found -2s"),
        format!("{p}.peerCertSANs[0].type: unknown SAN type \"IP\" (expected DNSName or URI)"),
        format!("{p}.peerCertSANs[1].value: a SAN value is required"),
        format!(
            "{p}.spiffe: SPIFFE verification of servers is not supported by this Portico version"
        ),
    ];
    assert_eq!(errors, expected);
    assert_eq!(
        validate("minVersion: TLS1.2\n").unwrap_err(),
        [format!(
            "{p}.minVersion: unknown TLS version \"TLS1.2\" (expected one of VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13)"
        )]
    );
}

#[test]
fn transports_of_several_providers_merge() {
    let raw = parse_routing(
        "http:\n  serversTransports:\n    t:\n      serverName: a\n",
        Format::Yaml,
        "a.yaml",
    )
    .unwrap();
    let mut model = routing("file", &raw, &Default::default());
    model.extend(routing("docker", &raw, &Default::default()));
    let names: Vec<&str> = model
        .servers_transports
        .keys()
        .map(QualifiedName::as_str)
        .collect();
    assert_eq!(names, ["t@docker", "t@file"]);
}
