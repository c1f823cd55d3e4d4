use std::{convert::Infallible, sync::Arc};

use http::{HeaderMap, Request, Response};
use portico_core::TlsInfo;
use rcgen::{
    CertificateParams, DnType, DnValue, Issuer, KeyPair, SanType, SerialNumber, date_time_ymd,
};
use tower::{Layer, ServiceExt, service_fn};

use super::*;

/// A CA-signed client certificate with every field Traefik reports; returns
/// `[leaf, ca]` DER.
fn chain() -> Vec<Vec<u8>> {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CountryName, "US");
    ca.distinguished_name
        .push(DnType::OrganizationName, "Cheese Org");
    ca.distinguished_name
        .push(DnType::CommonName, "Simple Signing CA");
    ca.distinguished_name.push(
        DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25]),
        "org",
    );
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["*.example.org".to_owned(), "*.example.com".to_owned()])
            .unwrap();
    leaf.subject_alt_names
        .push(SanType::Rfc822Name("test@example.org".try_into().unwrap()));
    leaf.subject_alt_names
        .push(SanType::IpAddress("10.0.1.0".parse().unwrap()));
    leaf.subject_alt_names
        .push(SanType::URI("spiffe://example.org/id".try_into().unwrap()));
    let dn = &mut leaf.distinguished_name;
    dn.push(
        DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25]),
        "cheese",
    );
    dn.push(DnType::CountryName, "FR");
    dn.push(DnType::StateOrProvinceName, "Some-State");
    dn.push(DnType::LocalityName, "Toulouse");
    dn.push(
        DnType::OrganizationName,
        DnValue::Utf8String("Cheese".into()),
    );
    dn.push(DnType::OrganizationalUnitName, "Simple Signing Section");
    dn.push(DnType::CommonName, "*.example.org");
    leaf.serial_number = Some(SerialNumber::from(1234567u64));
    leaf.not_before = date_time_ymd(2020, 1, 1);
    leaf.not_after = date_time_ymd(2030, 1, 1);
    let leaf_cert = leaf.signed_by(&key, &issuer).unwrap();
    vec![leaf_cert.der().to_vec(), ca_cert.der().to_vec()]
}

fn all_fields() -> CertInfo {
    let every = DnFields {
        country: true,
        province: true,
        locality: true,
        organization: true,
        organizational_unit: true,
        common_name: true,
        serial_number: true,
        domain_component: true,
    };
    CertInfo {
        not_after: true,
        not_before: true,
        sans: true,
        serial_number: true,
        subject: Some(every),
        issuer: Some(every),
    }
}

fn decode_query(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn pem_is_the_base64_der_chain() {
    let chain = chain();
    let mut headers = HeaderMap::new();
    PassTlsClientCertLayer::new(true, None).apply(&chain, &mut headers);
    let value = headers[&X_FORWARDED_TLS_CLIENT_CERT].to_str().unwrap();
    let parts: Vec<&str> = value.split(',').collect();
    assert_eq!(parts.len(), 2);
    assert_eq!(STANDARD.decode(parts[0]).unwrap(), chain[0]);
    assert_eq!(STANDARD.decode(parts[1]).unwrap(), chain[1]);
    assert!(!headers.contains_key(&X_FORWARDED_TLS_CLIENT_CERT_INFO));
}

#[test]
fn info_lists_the_selected_fields_per_certificate() {
    let chain = chain();
    let mut headers = HeaderMap::new();
    PassTlsClientCertLayer::new(false, Some(all_fields())).apply(&chain[..1], &mut headers);
    let raw = headers[&X_FORWARDED_TLS_CLIENT_CERT_INFO].to_str().unwrap();
    assert!(
        !raw.contains(' ') && !raw.contains('"'),
        "query-escaped: {raw}"
    );
    let info = decode_query(raw);
    assert_eq!(
        info,
        "Subject=\"DC=cheese,C=FR,ST=Some-State,L=Toulouse,O=Cheese,OU=Simple Signing Section,CN=*.example.org\";\
         Issuer=\"DC=org,C=US,O=Cheese Org,CN=Simple Signing CA\";\
         SerialNumber=\"1234567\";NB=\"1577836800\";NA=\"1893456000\";\
         SAN=\"*.example.org,*.example.com,test@example.org,10.0.1.0,spiffe://example.org/id\""
    );
}

#[test]
fn info_with_a_few_fields_and_two_certificates() {
    let chain = chain();
    let info = CertInfo {
        not_after: true,
        subject: Some(DnFields {
            common_name: true,
            ..DnFields::default()
        }),
        ..CertInfo::default()
    };
    let mut headers = HeaderMap::new();
    PassTlsClientCertLayer::new(false, Some(info)).apply(&chain, &mut headers);
    let info = decode_query(headers[&X_FORWARDED_TLS_CLIENT_CERT_INFO].to_str().unwrap());
    let entries: Vec<&str> = info.split(',').collect();
    assert_eq!(entries.len(), 2, "{info}");
    assert_eq!(entries[0], "Subject=\"CN=*.example.org\";NA=\"1893456000\"");
    assert!(
        entries[1].starts_with("Subject=\"CN=Simple Signing CA\";NA=\""),
        "{info}"
    );
}

#[tokio::test]
async fn requests_without_a_client_certificate_are_untouched() {
    let svc = PassTlsClientCertLayer::new(true, Some(all_fields())).layer(service_fn(
        |req: Request<()>| async move { Ok::<_, Infallible>(Response::new(req.headers().len())) },
    ));
    let response = svc.clone().oneshot(Request::new(())).await.unwrap();
    assert_eq!(*response.body(), 0);

    let mut request = Request::new(());
    request.extensions_mut().insert(Arc::new(TlsInfo {
        sni: None,
        alpn: None,
        version: "TLSv1_3",
        cipher_suite: "TLS13_AES_128_GCM_SHA256",
        peer_certificates: chain(),
        options: Arc::from("default"),
    }));
    let response = svc.oneshot(request).await.unwrap();
    assert_eq!(*response.body(), 2);
}

#[test]
fn unparseable_certificates_give_empty_entries() {
    let mut headers = HeaderMap::new();
    PassTlsClientCertLayer::new(true, Some(all_fields())).apply(&[b"junk".to_vec()], &mut headers);
    assert_eq!(headers[&X_FORWARDED_TLS_CLIENT_CERT], "anVuaw==");
    assert_eq!(headers[&X_FORWARDED_TLS_CLIENT_CERT_INFO], "");
}
