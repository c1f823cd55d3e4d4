//! Building `http.serversTransports`, reusing those whose definition did not change
//! (so their connection pools survive a reload).

use std::{collections::HashMap, sync::Arc};

use portico_config::model::{QualifiedName, ServersTransportSpec};
use portico_proxy::{Transport, TransportSettings};
use portico_tls::{PemSource, TlsVersion, client_cipher_suites};

/// A transport built from a spec, kept for reuse by the next compilation.
#[derive(Debug)]
pub(super) struct BuiltTransport {
    pub(super) spec: ServersTransportSpec,
    pub(super) transport: Transport,
}

/// Builds every transport of `specs`, taking the previous build of a name when its
/// spec is equal. Errors name the key and the reason.
pub(super) fn build_all(
    specs: &std::collections::BTreeMap<QualifiedName, Result<ServersTransportSpec, Vec<String>>>,
    previous: &mut HashMap<QualifiedName, Arc<BuiltTransport>>,
) -> HashMap<QualifiedName, Result<Arc<BuiltTransport>, Vec<String>>> {
    let mut built = HashMap::with_capacity(specs.len());
    for (name, spec) in specs {
        let result = match spec {
            Err(errors) => Err(errors.clone()),
            Ok(spec) => match previous.remove(name) {
                Some(old) if &old.spec == spec => Ok(old),
                _ => build(spec).map(|transport| {
                    Arc::new(BuiltTransport {
                        spec: spec.clone(),
                        transport,
                    })
                }),
            },
        };
        if let Err(errors) = &result {
            tracing::error!(transport = %name, errors = ?errors, "servers transport disabled");
        }
        built.insert(name.clone(), result);
    }
    built
}

/// The settings of `spec`, with its certificates read.
pub(super) fn settings(spec: &ServersTransportSpec) -> Result<TransportSettings, Vec<String>> {
    let mut errors = Vec::new();
    let timeouts = &spec.forwarding_timeouts;
    let mut settings = TransportSettings {
        dial_timeout: timeouts.dial_timeout,
        response_header_timeout: timeouts.response_header_timeout,
        idle_conn_timeout: timeouts.idle_conn_timeout,
        max_idle_conns_per_host: spec.max_idle_conns_per_host,
        read_idle_timeout: timeouts.read_idle_timeout,
        ping_timeout: timeouts.ping_timeout,
        server_name: spec.server_name.clone(),
        insecure_skip_verify: spec.insecure_skip_verify,
        disable_http2: spec.disable_http2,
        peer_cert_sans: spec.peer_cert_sans.clone(),
        ..TransportSettings::default()
    };
    for (i, ca) in spec.root_cas.iter().enumerate() {
        match PemSource::from_traefik(ca).read_certificates() {
            Ok(certs) => settings.root_certificates.extend(certs),
            Err(e) => errors.push(format!("rootCAs[{i}]: {e}")),
        }
    }
    if let Some(cert) = spec.certificates.first() {
        let chain = PemSource::from_traefik(&cert.cert).read_certificates();
        let key = PemSource::from_traefik(&cert.key).read_key();
        match (chain, key) {
            (Ok(chain), Ok(key)) => settings.client_certificate = Some((chain, key)),
            (Err(e), _) => errors.push(format!("certificates[0].certFile: {e}")),
            (_, Err(e)) => errors.push(format!("certificates[0].keyFile: {e}")),
        }
    }
    let version = |key: &str, value: &Option<String>, errors: &mut Vec<String>| {
        value
            .as_deref()
            .and_then(|v| match v.parse::<TlsVersion>() {
                Ok(v) => Some(v.to_rustls()),
                Err(e) => {
                    errors.push(format!("{key}: {e}"));
                    None
                }
            })
    };
    settings.min_version = version("minVersion", &spec.min_version, &mut errors);
    settings.max_version = version("maxVersion", &spec.max_version, &mut errors);
    match client_cipher_suites(&spec.cipher_suites) {
        Ok(suites) => settings.cipher_suites = suites,
        Err(e) => errors.push(format!("cipherSuites: {e}")),
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(errors)
    }
}

fn build(spec: &ServersTransportSpec) -> Result<Transport, Vec<String>> {
    let settings = settings(spec)?;
    Transport::new(&settings).map_err(|e| vec![e.to_string()])
}
