//! `tls` section validation.

use crate::{
    model::{
        QualifiedName,
        tls::{CertificateSpec, TlsModel, TlsOptionsSpec},
    },
    raw::routing::{TlsConfig, TlsOptions},
};

/// Validates `provider`'s `tls` section; problems that do not invalidate a whole
/// object are returned as warnings.
pub(super) fn tls(raw: &TlsConfig, provider: &str, warnings: &mut Vec<String>) -> TlsModel {
    let mut model = TlsModel::default();
    for (i, cert) in raw.certificates.iter().flatten().enumerate() {
        let path = format!("tls.certificates[{i}]");
        let stores = cert.stores.clone().unwrap_or_default();
        if !stores.is_empty() && !stores.iter().any(|s| s == "default") {
            warnings.push(format!(
                "{path}.stores: only the default store is used; certificate ignored"
            ));
            continue;
        }
        match (nonempty(&cert.cert_file), nonempty(&cert.key_file)) {
            (Some(cert), Some(key)) => model.certificates.push(CertificateSpec {
                cert,
                key,
                origin: format!("{path}@{provider}"),
            }),
            _ => warnings.push(format!(
                "{path}: certFile and keyFile are both required; certificate ignored"
            )),
        }
    }
    for (name, options) in raw.options.iter().flatten() {
        model
            .options
            .insert(QualifiedName::new(name, provider), Ok(tls_options(options)));
    }
    for (name, store) in raw.stores.iter().flatten() {
        let path = format!("tls.stores.{name}");
        if name != "default" {
            warnings.push(format!("{path}: only the default store is used; ignored"));
            continue;
        }
        if let Some(pair) = &store.default_certificate {
            match (nonempty(&pair.cert_file), nonempty(&pair.key_file)) {
                (Some(cert), Some(key)) => {
                    model.default_certificate = Some(CertificateSpec {
                        cert,
                        key,
                        origin: format!("{path}.defaultCertificate@{provider}"),
                    });
                }
                _ => warnings.push(format!(
                    "{path}.defaultCertificate: certFile and keyFile are both required; ignored"
                )),
            }
        }
        if store.default_generated_cert.is_some() {
            warnings.push(format!("{path}.defaultGeneratedCert: certificate resolvers are not supported by this Portico version; ignored"));
        }
    }
    model
}

fn tls_options(raw: &TlsOptions) -> TlsOptionsSpec {
    let client = raw.client_auth.as_ref();
    TlsOptionsSpec {
        min_version: raw.min_version.clone().filter(|v| !v.is_empty()),
        max_version: raw.max_version.clone().filter(|v| !v.is_empty()),
        cipher_suites: raw.cipher_suites.clone().unwrap_or_default(),
        curve_preferences: raw.curve_preferences.clone().unwrap_or_default(),
        alpn_protocols: raw.alpn_protocols.clone().unwrap_or_default(),
        sni_strict: raw.sni_strict.unwrap_or(false),
        client_ca_files: client.and_then(|c| c.ca_files.clone()).unwrap_or_default(),
        client_auth_type: client
            .and_then(|c| c.client_auth_type.clone())
            .filter(|t| !t.is_empty()),
        disable_session_tickets: raw.disable_session_tickets.unwrap_or(false),
    }
}

fn nonempty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
