//! From the `tls` section and the TLS routers to a TLS snapshot.

use std::{collections::HashMap, sync::Arc};

use portico_config::model::{
    QualifiedName,
    tls::{CertificateSpec, TlsModel, TlsOptionsSpec},
};
use portico_tls::{
    CertStore, Certificate, ClientAuth, DEFAULT_OPTIONS, PemSource, SnapshotError, TlsOptions,
    TlsRegistry, TlsSnapshot,
};

/// Certificates loaded by earlier compilations, kept so that a certificate whose
/// files became unreadable or mismatched keeps serving (the failure is reported).
#[derive(Debug, Default)]
pub(super) struct CertCache {
    loaded: HashMap<(String, String), Arc<Certificate>>,
}

/// The TLS routers' hosts and options names, gathered while compiling routers.
#[derive(Debug, Default)]
pub(super) struct TlsPlan {
    /// `(host, options name)` from every TLS router's `Host` rules.
    pub(super) hosts: Vec<(String, String)>,
}

/// Options names as the registry knows them: `default` for the default options,
/// qualified names for the others.
pub(super) fn options_key(name: &QualifiedName) -> String {
    if name.name() == DEFAULT_OPTIONS {
        DEFAULT_OPTIONS.to_owned()
    } else {
        name.as_str().to_owned()
    }
}

/// Whether `name` names options that exist (`default` always does).
pub(super) fn options_exist(model: &TlsModel, name: &QualifiedName) -> bool {
    name.name() == DEFAULT_OPTIONS || model.options.contains_key(name)
}

/// Builds the snapshot and returns it with every problem, one line each.
pub(super) fn snapshot(
    registry: &TlsRegistry,
    model: &TlsModel,
    plan: &TlsPlan,
    cache: &mut CertCache,
) -> (TlsSnapshot, Vec<String>) {
    let mut problems = Vec::new();
    let mut store = CertStore::builder();
    let mut fresh = HashMap::new();
    for spec in &model.certificates {
        if let Some(cert) = load(spec, cache, &mut fresh, &mut problems) {
            store.add(cert);
        }
    }
    if let Some(spec) = &model.default_certificate
        && let Some(cert) = load(spec, cache, &mut fresh, &mut problems)
    {
        store.default_certificate(cert);
    }
    cache.loaded = fresh;

    let mut builder = registry.builder();
    builder.certificates(store.build());
    for (name, spec) in &model.options {
        match spec {
            Ok(spec) => match options(spec) {
                Ok(options) => {
                    builder.options(options_key(name), options);
                }
                Err(error) => problems.push(format!("tls.options.{}: {error}", name.as_str())),
            },
            Err(errors) => problems.extend(
                errors
                    .iter()
                    .map(|e| format!("tls.options.{}: {e}", name.as_str())),
            ),
        }
    }
    for (host, options) in &plan.hosts {
        builder.host(host, options);
    }
    let (snapshot, errors) = builder.build();
    problems.extend(errors.iter().map(|e: &SnapshotError| format!("tls: {e}")));
    (snapshot, problems)
}

fn load(
    spec: &CertificateSpec,
    cache: &CertCache,
    fresh: &mut HashMap<(String, String), Arc<Certificate>>,
    problems: &mut Vec<String>,
) -> Option<Certificate> {
    let key = (spec.cert.clone(), spec.key.clone());
    match Certificate::load(
        &PemSource::from_traefik(&spec.cert),
        &PemSource::from_traefik(&spec.key),
    ) {
        Ok(cert) => {
            fresh.insert(key, Arc::new(cert.clone()));
            Some(cert)
        }
        Err(error) => match cache.loaded.get(&key) {
            Some(previous) => {
                problems.push(format!(
                    "{}: {error}; the previous certificate keeps serving",
                    spec.origin
                ));
                fresh.insert(key, previous.clone());
                Some((**previous).clone())
            }
            None => {
                problems.push(format!("{}: {error}", spec.origin));
                None
            }
        },
    }
}

fn options(spec: &TlsOptionsSpec) -> Result<TlsOptions, String> {
    let defaults = TlsOptions::default();
    let parse_version =
        |v: &Option<String>, key: &str| -> Result<Option<portico_tls::TlsVersion>, String> {
            v.as_deref()
                .map(|v| v.parse().map_err(|e| format!("{key}: {e}")))
                .transpose()
        };
    let options = TlsOptions {
        min_version: parse_version(&spec.min_version, "minVersion")?
            .unwrap_or(defaults.min_version),
        max_version: parse_version(&spec.max_version, "maxVersion")?,
        cipher_suites: spec.cipher_suites.clone(),
        curve_preferences: spec.curve_preferences.clone(),
        alpn_protocols: if spec.alpn_protocols.is_empty() {
            defaults.alpn_protocols
        } else {
            spec.alpn_protocols.clone()
        },
        sni_strict: spec.sni_strict,
        client_auth: ClientAuth {
            ca_files: spec
                .client_ca_files
                .iter()
                .map(|f| PemSource::from_traefik(f))
                .collect(),
            kind: spec
                .client_auth_type
                .as_deref()
                .map(|k| {
                    k.parse()
                        .map_err(|e| format!("clientAuth.clientAuthType: {e}"))
                })
                .transpose()?,
        },
        disable_session_tickets: spec.disable_session_tickets,
    };
    options.check().map_err(|e| e.to_string())?;
    Ok(options)
}
