use serde_json::json;

use super::*;

fn cluster() -> Cluster {
    let mut c = Cluster::default();
    for v in [
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
            "spec": {"clusterIP": "10.0.0.7", "ports": [
                {"name": "http", "port": 80}, {"name": "https-alt", "port": 8443}, {"port": 443, "name": "tls"}]}}),
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "web-1", "namespace": "a", "labels": {SERVICE_NAME_LABEL: "web"}},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080}, {"name": "https-alt", "port": 9443}],
            "endpoints": [
                {"addresses": ["10.1.0.1"], "conditions": {"ready": true}},
                {"addresses": ["10.1.0.2"], "conditions": {"ready": false}},
                {"addresses": ["10.1.0.3"]}]}),
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "web-2", "namespace": "a", "labels": {SERVICE_NAME_LABEL: "web"}},
            "addressType": "IPv6",
            "ports": [{"name": "http", "port": 8080}],
            "endpoints": [{"addresses": ["10.1.0.1", "fd00::1"]}]}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty", "namespace": "a"},
            "spec": {"ports": [{"port": 80}]}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cert", "namespace": "a"},
            "type": "kubernetes.io/tls",
            "data": {"tls.crt": "Q0VSVA==", "tls.key": "S0VZ"}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ca", "namespace": "a"},
            "stringData": {"ca.crt": "PEM"}}),
    ] {
        c.apply_value(v).unwrap();
    }
    c
}

fn servers(
    b: &Backends<'_>,
    name: &str,
    port: IntOrString,
    scheme: Option<&str>,
) -> Result<Vec<String>, String> {
    b.servers(&PortRef {
        namespace: "a",
        name,
        port: &port,
        scheme,
        native_lb: None,
    })
}

#[test]
fn ready_endpoints_of_the_named_port_once_each() {
    let c = cluster();
    let b = Backends::new(&c, BackendOptions::default());
    let urls = servers(&b, "web", IntOrString::Int(80), None).unwrap();
    assert_eq!(
        urls,
        [
            "http://10.1.0.1:8080",
            "http://10.1.0.3:8080",
            "http://[fd00::1]:8080"
        ]
    );
    let by_name = servers(&b, "web", IntOrString::String("http".into()), None).unwrap();
    assert_eq!(by_name, urls);
}

#[test]
fn scheme_is_inferred_from_port_name_and_number() {
    let c = cluster();
    let b = Backends::new(&c, BackendOptions::default());
    let https = servers(&b, "web", IntOrString::Int(8443), None).unwrap();
    assert_eq!(https, ["https://10.1.0.1:9443", "https://10.1.0.3:9443"]);
    let h2c = servers(&b, "web", IntOrString::Int(8443), Some("h2c")).unwrap();
    assert!(h2c[0].starts_with("h2c://"));
    assert!(
        servers(&b, "web", IntOrString::Int(80), Some("ftp"))
            .unwrap_err()
            .contains("invalid scheme")
    );
}

#[test]
fn missing_service_port_and_empty_endpoints_are_errors() {
    let c = cluster();
    let b = Backends::new(&c, BackendOptions::default());
    assert_eq!(
        servers(&b, "nope", IntOrString::Int(80), None).unwrap_err(),
        "kubernetes service not found: a/nope"
    );
    assert_eq!(
        servers(&b, "web", IntOrString::Int(81), None).unwrap_err(),
        "service port not found: 81"
    );
    // Port 443 has no EndpointSlice port named "tls".
    assert!(
        servers(&b, "web", IntOrString::Int(443), None)
            .unwrap_err()
            .contains("no ready endpoints")
    );
    assert!(
        servers(&b, "empty", IntOrString::Int(80), None)
            .unwrap_err()
            .contains("no ready endpoints")
    );
    let allow = Backends::new(
        &c,
        BackendOptions {
            allow_empty: true,
            ..Default::default()
        },
    );
    assert_eq!(
        servers(&allow, "empty", IntOrString::Int(80), None).unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn native_lb_uses_the_cluster_ip() {
    let c = cluster();
    let b = Backends::new(
        &c,
        BackendOptions {
            native_lb_by_default: true,
            ..Default::default()
        },
    );
    assert_eq!(
        servers(&b, "web", IntOrString::Int(80), None).unwrap(),
        ["http://10.0.0.7:80"]
    );
    let port = IntOrString::Int(80);
    let off = b.servers(&PortRef {
        namespace: "a",
        name: "web",
        port: &port,
        scheme: None,
        native_lb: Some(false),
    });
    assert_eq!(off.unwrap().len(), 3);
    assert!(
        servers(&b, "empty", IntOrString::Int(80), None)
            .unwrap_err()
            .contains("no clusterIP")
    );
}

#[test]
fn external_name_services_need_permission() {
    let mut c = cluster();
    c.apply_value(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext", "namespace": "a"},
        "spec": {"type": "ExternalName", "externalName": "api.example.com"}}),
    )
    .unwrap();
    let denied = Backends::new(&c, BackendOptions::default());
    assert!(
        servers(&denied, "ext", IntOrString::Int(8080), None)
            .unwrap_err()
            .contains("externalName services not allowed")
    );
    let allowed = Backends::new(
        &c,
        BackendOptions {
            allow_external_name: true,
            ..Default::default()
        },
    );
    assert_eq!(
        servers(&allowed, "ext", IntOrString::Int(8080), None).unwrap(),
        ["http://api.example.com:8080"]
    );
}

#[test]
fn secrets_decode_data_and_string_data() {
    let c = cluster();
    let b = Backends::new(&c, BackendOptions::default());
    assert_eq!(
        b.tls_pair("a", "cert").unwrap(),
        ("CERT".to_owned(), "KEY".to_owned())
    );
    assert_eq!(b.ca("a", "ca").unwrap(), "PEM");
    assert!(
        b.tls_pair("a", "ca")
            .unwrap_err()
            .contains("has no tls.crt")
    );
    assert_eq!(
        b.secret("b", "cert").unwrap_err(),
        "secret b/cert not found"
    );
}
