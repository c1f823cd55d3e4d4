//! `http.serversTransports.<name>` validation.

use std::time::Duration;

use crate::{
    model::{ServersTransportSpec, tls::CertificateSpec},
    raw::{
        ClientCertificate, Duration as RawDuration,
        routing::{ForwardingTimeouts, ServersTransport},
    },
};

use super::tls_names;

/// Validates `http.serversTransports.<name>` at `path` in `provider`'s
/// configuration; every problem is reported, at its key path.
pub(super) fn servers_transport(
    path: &str,
    raw: &ServersTransport,
    provider: &str,
) -> Result<ServersTransportSpec, Vec<String>> {
    let mut errors = Vec::new();
    let mut spec = ServersTransportSpec {
        server_name: nonempty(raw.server_name.as_deref()),
        insecure_skip_verify: raw.insecure_skip_verify.unwrap_or(false),
        disable_http2: raw.disable_http2.unwrap_or(false),
        ..ServersTransportSpec::default()
    };
    for (i, ca) in raw.root_cas.iter().flatten().enumerate() {
        if ca.trim().is_empty() {
            errors.push(format!(
                "{path}.rootCAs[{i}]: empty value (expected a file path or PEM)"
            ));
        } else {
            spec.root_cas.push(ca.clone());
        }
    }
    for (i, certificate) in raw.certificates.iter().flatten().enumerate() {
        let p = format!("{path}.certificates[{i}]");
        match certificate {
            ClientCertificate::Pair(pair) => match (
                nonempty(pair.cert_file.as_deref()),
                nonempty(pair.key_file.as_deref()),
            ) {
                (Some(cert), Some(key)) => spec.certificates.push(CertificateSpec {
                    cert,
                    key,
                    origin: format!("{p}@{provider}"),
                }),
                _ => errors.push(format!("{p}: certFile and keyFile are both required")),
            },
            ClientCertificate::Path(value) => errors.push(format!(
                "{p}: expected a certFile and keyFile pair, found the bare value {value:?}"
            )),
        }
    }
    tls_versions(path, raw, &mut spec, &mut errors);
    for (i, suite) in raw.cipher_suites.iter().flatten().enumerate() {
        match tls_names::cipher_suite(suite) {
            Some(name) => spec.cipher_suites.push(name.to_owned()),
            None => errors.push(format!(
                "{path}.cipherSuites[{i}]: unknown cipher suite {suite:?}"
            )),
        }
    }
    match raw.max_idle_conns_per_host.map(usize::try_from) {
        None | Some(Ok(0)) => {}
        Some(Ok(n)) => spec.max_idle_conns_per_host = n,
        Some(Err(_)) => errors.push(format!(
            "{path}.maxIdleConnsPerHost: must not be negative, found {}",
            raw.max_idle_conns_per_host.unwrap_or_default()
        )),
    }
    if let Some(ft) = &raw.forwarding_timeouts {
        forwarding_timeouts(
            &format!("{path}.forwardingTimeouts"),
            ft,
            &mut spec,
            &mut errors,
        );
    }
    for (i, san) in raw.peer_cert_sans.iter().flatten().enumerate() {
        let p = format!("{path}.peerCertSANs[{i}]");
        if let Some(kind) = nonempty(san.kind.as_deref())
            && !kind.eq_ignore_ascii_case("DNSName")
            && !kind.eq_ignore_ascii_case("URI")
        {
            errors.push(format!(
                "{p}.type: unknown SAN type {kind:?} (expected DNSName or URI)"
            ));
        }
        match nonempty(san.value.as_deref()) {
            Some(value) => spec.peer_cert_sans.push(value),
            None => errors.push(format!("{p}.value: a SAN value is required")),
        }
    }
    if let Some(uri) = nonempty(raw.peer_cert_uri.as_deref()) {
        spec.peer_cert_sans.push(uri);
    }
    if raw.spiffe.is_some() {
        errors.push(format!(
            "{path}.spiffe: SPIFFE verification of servers is not supported by this Portico version"
        ));
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

fn tls_versions(
    path: &str,
    raw: &ServersTransport,
    spec: &mut ServersTransportSpec,
    errors: &mut Vec<String>,
) {
    let mut parse = |key: &str, value: Option<&str>| {
        let value = nonempty(value)?;
        let found = tls_names::version(&value);
        if found.is_none() {
            errors.push(format!(
                "{path}.{key}: unknown TLS version {value:?} (expected one of {})",
                tls_names::version_list()
            ));
        }
        found
    };
    let min = parse("minVersion", raw.min_version.as_deref());
    let max = parse("maxVersion", raw.max_version.as_deref());
    if let (Some((low, min_name)), Some((high, max_name))) = (min, max)
        && high < low
    {
        errors.push(format!(
            "{path}.maxVersion: {max_name} is below minVersion {min_name}"
        ));
    }
    spec.min_version = min.map(|(_, name)| name.to_owned());
    spec.max_version = max.map(|(_, name)| name.to_owned());
}

fn forwarding_timeouts(
    path: &str,
    raw: &ForwardingTimeouts,
    spec: &mut ServersTransportSpec,
    errors: &mut Vec<String>,
) {
    let out = &mut spec.forwarding_timeouts;
    let mut limit = |key: &str, raw: Option<&RawDuration>, current: &mut Option<Duration>| {
        if let Some(d) = raw {
            match d.as_std() {
                Some(d) => *current = Some(d).filter(|d| !d.is_zero()),
                None => errors.push(format!("{path}.{key}: must not be negative, found {d}")),
            }
        }
    };
    limit(
        "dialTimeout",
        raw.dial_timeout.as_ref(),
        &mut out.dial_timeout,
    );
    limit(
        "responseHeaderTimeout",
        raw.response_header_timeout.as_ref(),
        &mut out.response_header_timeout,
    );
    limit(
        "idleConnTimeout",
        raw.idle_conn_timeout.as_ref(),
        &mut out.idle_conn_timeout,
    );
    limit(
        "readIdleTimeout",
        raw.read_idle_timeout.as_ref(),
        &mut out.read_idle_timeout,
    );
    let mut ping = Some(out.ping_timeout);
    limit("pingTimeout", raw.ping_timeout.as_ref(), &mut ping);
    out.ping_timeout = ping.unwrap_or(crate::model::ForwardingTimeoutsSpec::DEFAULT_PING_TIMEOUT);
}

fn nonempty(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests;
