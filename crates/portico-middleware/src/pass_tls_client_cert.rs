//! Traefik's `passTLSClientCert` middleware: passes the client's TLS certificates
//! to the backend in request headers.
//!
//! The chain comes from [`TlsInfo`] in the request extensions (leaf first, DER).
//! Without a client certificate the request goes on unchanged.
//!
//! - `pem`: `X-Forwarded-Tls-Client-Cert` is each certificate's base64 DER (its
//!   PEM without the armour and newlines), joined with `,`.
//! - `info`: `X-Forwarded-Tls-Client-Cert-Info` is, URL-query-escaped, one entry
//!   per certificate joined with `,`, each made of the selected fields joined with
//!   `;`: `Subject="DC=…,C=…,ST=…,L=…,O=…,OU=…,SN=…,CN=…"`,
//!   `Issuer="DC=…,C=…,ST=…,L=…,O=…,SN=…,CN=…"`, `SerialNumber="…"` (decimal),
//!   `NB="…"` and `NA="…"` (Unix seconds), `SAN="…"` (DNS names, e-mail addresses,
//!   IP addresses then URIs, joined with `,`). Empty fields are left out.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use portico_middleware::pass_tls_client_cert::{CertInfo, DnFields, PassTlsClientCertLayer};
//!
//! let info = CertInfo {
//!     not_after: true,
//!     sans: true,
//!     subject: Some(DnFields { common_name: true, organization: true, ..DnFields::default() }),
//!     ..CertInfo::default()
//! };
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "hi" }))
//!     .layer(PassTlsClientCertLayer::new(true, Some(info)));
//! # let _ = app;
//! ```

use std::{
    fmt::Write as _,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    sync::Arc,
    task::{Context, Poll},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use http::{HeaderName, HeaderValue, Request};
use portico_core::TlsInfo;
use tower::{Layer, Service};
use x509_parser::{
    certificate::X509Certificate, extensions::GeneralName, prelude::FromDer, x509::X509Name,
};

/// `X-Forwarded-Tls-Client-Cert`.
pub const X_FORWARDED_TLS_CLIENT_CERT: HeaderName =
    HeaderName::from_static("x-forwarded-tls-client-cert");
/// `X-Forwarded-Tls-Client-Cert-Info`.
pub const X_FORWARDED_TLS_CLIENT_CERT_INFO: HeaderName =
    HeaderName::from_static("x-forwarded-tls-client-cert-info");

/// Which certificate fields go into `X-Forwarded-Tls-Client-Cert-Info`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CertInfo {
    /// `NA`: the end of validity.
    pub not_after: bool,
    /// `NB`: the start of validity.
    pub not_before: bool,
    /// `SAN`: subject alternative names.
    pub sans: bool,
    /// `SerialNumber`: the certificate's serial number.
    pub serial_number: bool,
    /// `Subject` fields.
    pub subject: Option<DnFields>,
    /// `Issuer` fields (`organizational_unit` is ignored, as in Traefik).
    pub issuer: Option<DnFields>,
}

/// Distinguished-name fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DnFields {
    /// `C`.
    pub country: bool,
    /// `ST`.
    pub province: bool,
    /// `L`.
    pub locality: bool,
    /// `O`.
    pub organization: bool,
    /// `OU` (subject only).
    pub organizational_unit: bool,
    /// `CN`.
    pub common_name: bool,
    /// `SN`, the name's serial number attribute.
    pub serial_number: bool,
    /// `DC`.
    pub domain_component: bool,
}

/// Passes client certificates to the backend; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct PassTlsClientCertLayer {
    pem: bool,
    info: Option<Arc<CertInfo>>,
}

/// The service made by [`PassTlsClientCertLayer`].
#[derive(Clone, Debug)]
pub struct PassTlsClientCert<S> {
    inner: S,
    layer: PassTlsClientCertLayer,
}

// === impl PassTlsClientCertLayer ===

impl PassTlsClientCertLayer {
    /// Passes the certificates themselves (`pem`) and/or the `info` fields.
    pub fn new(pem: bool, info: Option<CertInfo>) -> Self {
        PassTlsClientCertLayer {
            pem,
            info: info.map(Arc::new),
        }
    }

    /// Adds the headers for `chain` (leaf first, DER) to `headers`.
    pub fn apply(&self, chain: &[Vec<u8>], headers: &mut http::HeaderMap) {
        if chain.is_empty() {
            return;
        }
        if self.pem {
            let value: Vec<String> = chain.iter().map(|der| STANDARD.encode(der)).collect();
            if let Ok(value) = HeaderValue::from_str(&value.join(",")) {
                headers.insert(X_FORWARDED_TLS_CLIENT_CERT, value);
            }
        }
        if let Some(info) = &self.info {
            let entries: Vec<String> = chain.iter().map(|der| cert_info(info, der)).collect();
            if let Ok(value) = HeaderValue::from_str(&query_escape(&entries.join(","))) {
                headers.insert(X_FORWARDED_TLS_CLIENT_CERT_INFO, value);
            }
        }
    }
}

impl<S> Layer<S> for PassTlsClientCertLayer {
    type Service = PassTlsClientCert<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PassTlsClientCert {
            inner,
            layer: self.clone(),
        }
    }
}

// === impl PassTlsClientCert ===

impl<S> PassTlsClientCert<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody> Service<Request<ReqBody>> for PassTlsClientCert<S>
where
    S: Service<Request<ReqBody>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let tls = request.extensions().get::<Arc<TlsInfo>>().cloned();
        match tls {
            Some(tls) if !tls.peer_certificates.is_empty() => {
                self.layer
                    .apply(&tls.peer_certificates, request.headers_mut());
            }
            _ => tracing::debug!("passTLSClientCert: no client certificate on this request"),
        }
        self.inner.call(request)
    }
}

// === certificate fields ===

const OID_C: &str = "2.5.4.6";
const OID_ST: &str = "2.5.4.8";
const OID_L: &str = "2.5.4.7";
const OID_O: &str = "2.5.4.10";
const OID_OU: &str = "2.5.4.11";
const OID_CN: &str = "2.5.4.3";
const OID_SN: &str = "2.5.4.5";
const OID_DC: &str = "0.9.2342.19200300.100.1.25";

/// The values of attribute `oid`, in order.
fn values<'a>(name: &'a X509Name<'_>, oid: &str) -> Vec<&'a str> {
    name.iter_attributes()
        .filter(|a| a.attr_type().to_id_string() == oid)
        .filter_map(|a| a.as_str().ok())
        .collect()
}

/// Go's `pkix.Name` rendering for the selected fields (`C=a,ST=b,...`).
fn dn(fields: &DnFields, name: &X509Name<'_>, with_ou: bool) -> String {
    let mut out = String::new();
    let mut push = |prefix: &str, value: &str| {
        if !value.is_empty() {
            let _ = write!(out, "{prefix}={value},");
        }
    };
    if fields.domain_component {
        for v in values(name, OID_DC) {
            push("DC", v);
        }
    }
    let all = |on: bool, oid: &str, prefix: &str, push: &mut dyn FnMut(&str, &str)| {
        if on {
            for v in values(name, oid) {
                push(prefix, v);
            }
        }
    };
    all(fields.country, OID_C, "C", &mut push);
    all(fields.province, OID_ST, "ST", &mut push);
    all(fields.locality, OID_L, "L", &mut push);
    all(fields.organization, OID_O, "O", &mut push);
    all(
        with_ou && fields.organizational_unit,
        OID_OU,
        "OU",
        &mut push,
    );
    // Go keeps the last serial number and common name only.
    if fields.serial_number
        && let Some(v) = values(name, OID_SN).last()
    {
        push("SN", v);
    }
    if fields.common_name
        && let Some(v) = values(name, OID_CN).last()
    {
        push("CN", v);
    }
    out.trim_end_matches(',').to_owned()
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => Some(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string()),
        16 => {
            let octets: [u8; 16] = bytes.try_into().ok()?;
            let v6 = Ipv6Addr::from(octets);
            Some(match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4).to_string(),
                None => v6.to_string(),
            })
        }
        _ => None,
    }
}

fn sans(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(ext)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    let names = &ext.value.general_names;
    let mut out: Vec<String> = Vec::new();
    out.extend(names.iter().filter_map(|n| match n {
        GeneralName::DNSName(d) => Some((*d).to_owned()),
        _ => None,
    }));
    out.extend(names.iter().filter_map(|n| match n {
        GeneralName::RFC822Name(e) => Some((*e).to_owned()),
        _ => None,
    }));
    out.extend(names.iter().filter_map(|n| match n {
        GeneralName::IPAddress(ip) => ip_text(ip),
        _ => None,
    }));
    out.extend(names.iter().filter_map(|n| match n {
        GeneralName::URI(u) => Some((*u).to_owned()),
        _ => None,
    }));
    out
}

/// One certificate's `info` entry (empty when the certificate cannot be parsed).
fn cert_info(info: &CertInfo, der: &[u8]) -> String {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return String::new();
    };
    let mut fields = Vec::new();
    if let Some(subject) = &info.subject {
        let text = dn(subject, cert.subject(), true);
        if !text.is_empty() {
            fields.push(format!("Subject=\"{text}\""));
        }
    }
    if let Some(issuer) = &info.issuer {
        let text = dn(issuer, cert.issuer(), false);
        if !text.is_empty() {
            fields.push(format!("Issuer=\"{text}\""));
        }
    }
    if info.serial_number {
        fields.push(format!("SerialNumber=\"{}\"", cert.serial));
    }
    if info.not_before {
        fields.push(format!("NB=\"{}\"", cert.validity().not_before.timestamp()));
    }
    if info.not_after {
        fields.push(format!("NA=\"{}\"", cert.validity().not_after.timestamp()));
    }
    if info.sans {
        let sans = sans(&cert);
        if !sans.is_empty() {
            fields.push(format!("SAN=\"{}\"", sans.join(",")));
        }
    }
    fields.join(";")
}

/// Go's `url.QueryEscape`.
fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
