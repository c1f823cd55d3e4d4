//! Validation of `certificatesResolvers` (ACME) and of the entrypoints' `certResolver`.

use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use super::ValidationError;
use crate::{
    model::{
        AcmeResolverSpec, DnsChallengeSpec, DnsProviderKind, EabSpec, EntryPointSpec,
        HttpChallengeSpec, KeyType, PropagationSpec, TlsChallengeSpec,
    },
    raw::{self, install as ri},
};

/// Errors and warnings of one validation pass.
pub(super) struct Report<'a> {
    pub(super) errors: &'a mut Vec<ValidationError>,
    pub(super) warnings: &'a mut Vec<String>,
}

/// Validates every `certificatesResolvers.<name>` and checks that entrypoints name
/// existing resolvers in `http.tls.certResolver`.
pub(super) fn resolvers(
    raw: &raw::InstallConfig,
    entry_points: &BTreeMap<String, EntryPointSpec>,
    mut report: Report<'_>,
) -> BTreeMap<String, AcmeResolverSpec> {
    let mut out = BTreeMap::new();
    for (name, resolver) in raw.certificates_resolvers.iter().flatten() {
        let base = format!("certificatesResolvers.{name}");
        if resolver.tailscale.is_some() {
            report.warn(
                &format!("{base}.tailscale"),
                "not supported by this Portico version; ignored",
            );
        }
        match &resolver.acme {
            Some(acme) => {
                if let Some(spec) = report.acme(name, &format!("{base}.acme"), acme, entry_points) {
                    out.insert(name.clone(), spec);
                }
            }
            None if resolver.tailscale.is_some() => {}
            None => report.error(&base, "acme is required"),
        }
    }
    for (name, ep) in entry_points {
        if let Some(resolver) = ep.tls.as_ref().and_then(|t| t.cert_resolver.as_deref())
            && !out.contains_key(resolver)
        {
            report.error(
                &format!("entryPoints.{name}.http.tls.certResolver"),
                format!("certificate resolver {resolver:?} does not exist"),
            );
        }
    }
    out
}

/// A set, non-blank, trimmed string.
fn text(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

// === impl Report ===

impl Report<'_> {
    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(ValidationError::new(path, message));
    }

    fn warn(&mut self, path: &str, message: &str) {
        self.warnings.push(format!("{path}: {message}"));
    }

    /// A non-negative duration, `default` when unset.
    fn duration(&mut self, path: &str, d: Option<&raw::Duration>, default: Duration) -> Duration {
        match d {
            None => default,
            Some(d) => d.as_std().unwrap_or_else(|| {
                self.error(path, format!("negative duration {:?}", d.text()));
                default
            }),
        }
    }

    fn acme(
        &mut self,
        name: &str,
        base: &str,
        acme: &ri::Acme,
        entry_points: &BTreeMap<String, EntryPointSpec>,
    ) -> Option<AcmeResolverSpec> {
        let errors_before = self.errors.len();
        let mut spec = AcmeResolverSpec::new(name);
        spec.email = text(&acme.email).map(str::to_owned);
        if let Some(ca) = text(&acme.ca_server) {
            if ca.starts_with("https://") || ca.starts_with("http://") {
                spec.ca_server = ca.to_owned();
            } else {
                self.error(
                    &format!("{base}.caServer"),
                    format!("invalid directory URL {ca:?} (expected https://...)"),
                );
            }
        }
        if let Some(storage) = text(&acme.storage) {
            spec.storage = PathBuf::from(storage);
        }
        if let Some(key_type) = text(&acme.key_type) {
            match KeyType::parse(key_type) {
                Some(k) => spec.key_type = k,
                None => self.error(
                    &format!("{base}.keyType"),
                    format!(
                        "unknown key type {key_type:?} (expected EC256, EC384, RSA2048, RSA4096 or RSA8192)"
                    ),
                ),
            }
        }
        if let Some(hours) = acme.certificates_duration {
            match u64::try_from(hours) {
                Ok(h) if h > 0 => spec.certificates_duration = Duration::from_secs(h * 3600),
                _ => self.error(
                    &format!("{base}.certificatesDuration"),
                    format!("must be a positive number of hours, got {hours}"),
                ),
            }
        }
        spec.preferred_chain = text(&acme.preferred_chain).map(str::to_owned);
        spec.profile = text(&acme.profile).map(str::to_owned);
        spec.email_addresses = acme.email_addresses.clone().unwrap_or_default();
        spec.disable_common_name = acme.disable_common_name.unwrap_or(false);
        if let Some(eab) = &acme.eab {
            match (text(&eab.kid), text(&eab.hmac_encoded)) {
                (Some(kid), Some(hmac)) => {
                    spec.eab = Some(EabSpec {
                        kid: kid.to_owned(),
                        hmac_encoded: hmac.to_owned(),
                    });
                }
                _ => self.error(&format!("{base}.eab"), "kid and hmacEncoded are required"),
            }
        }
        spec.ca_certificates = acme
            .ca_certificates
            .iter()
            .flatten()
            .filter(|p| !p.trim().is_empty())
            .map(PathBuf::from)
            .collect();
        spec.ca_system_cert_pool = acme.ca_system_cert_pool.unwrap_or(false);
        spec.ca_server_name = text(&acme.ca_server_name).map(str::to_owned);
        spec.client_timeout = self.duration(
            &format!("{base}.clientTimeout"),
            acme.client_timeout.as_ref(),
            spec.client_timeout,
        );
        spec.client_response_header_timeout = self.duration(
            &format!("{base}.clientResponseHeaderTimeout"),
            acme.client_response_header_timeout.as_ref(),
            spec.client_response_header_timeout,
        );
        spec.certificate_timeout = self.duration(
            &format!("{base}.certificateTimeout"),
            acme.certificate_timeout.as_ref(),
            spec.certificate_timeout,
        );

        if let Some(http) = &acme.http_challenge {
            let path = format!("{base}.httpChallenge");
            let delay = self.duration(
                &format!("{path}.delay"),
                http.delay.as_ref(),
                Duration::ZERO,
            );
            match text(&http.entry_point) {
                None => self.error(&format!("{path}.entryPoint"), "entryPoint is required"),
                Some(ep) if !entry_points.contains_key(ep) => self.error(
                    &format!("{path}.entryPoint"),
                    format!("entrypoint {ep:?} does not exist"),
                ),
                Some(ep) => {
                    spec.http_challenge = Some(HttpChallengeSpec {
                        entry_point: ep.to_owned(),
                        delay,
                    });
                }
            }
        }
        if let Some(tls) = &acme.tls_challenge {
            let delay = self.duration(
                &format!("{base}.tlsChallenge.delay"),
                tls.delay.as_ref(),
                Duration::ZERO,
            );
            spec.tls_challenge = Some(TlsChallengeSpec { delay });
        }
        if let Some(dns) = &acme.dns_challenge {
            spec.dns_challenge = self.dns(&format!("{base}.dnsChallenge"), dns);
        }
        if acme.http_challenge.is_none()
            && acme.tls_challenge.is_none()
            && acme.dns_challenge.is_none()
        {
            // Traefik loads such a resolver and fails at the first certificate request;
            // so does Portico (Traefik's own `ref-acme.yaml` is written this way), with a
            // warning at load time. A YAML key with no value (`tlsChallenge:`) is null,
            // hence unset, as in Traefik (paerser skips null keys).
            self.warn(
                base,
                "no challenge configured: this resolver cannot obtain certificates (set \
                 httpChallenge, tlsChallenge or dnsChallenge; a key without value such as \
                 `tlsChallenge:` is unset, write `tlsChallenge: {}`)",
            );
        }
        (self.errors.len() == errors_before).then_some(spec)
    }

    fn dns(&mut self, path: &str, dns: &ri::DnsChallenge) -> Option<DnsChallengeSpec> {
        let provider = match dns.provider.as_deref().map(str::trim) {
            None | Some("") => {
                self.error(&format!("{path}.provider"), "provider is required");
                None
            }
            Some("exec") => Some(DnsProviderKind::Exec),
            Some("rfc2136") => Some(DnsProviderKind::Rfc2136),
            Some(other) => {
                self.error(
                    &format!("{path}.provider"),
                    format!("unsupported DNS provider {other:?} (expected exec or rfc2136)"),
                );
                None
            }
        };
        let mut propagation = PropagationSpec::default();
        if let Some(p) = &dns.propagation {
            propagation.disable_checks = p.disable_checks.unwrap_or(false);
            propagation.disable_ans_checks = p.disable_ans_checks.unwrap_or(false);
            propagation.require_all_rns = p.require_all_rns.unwrap_or(false);
            propagation.delay_before_checks = self.duration(
                &format!("{path}.propagation.delayBeforeChecks"),
                p.delay_before_checks.as_ref(),
                Duration::ZERO,
            );
        }
        // Deprecated spellings apply when the new ones are absent.
        let p = dns.propagation.as_ref();
        if p.and_then(|p| p.disable_checks).is_none()
            && let Some(disable) = dns.disable_propagation_check
        {
            propagation.disable_checks = disable;
            self.warn(
                &format!("{path}.disablePropagationCheck"),
                "deprecated; use propagation.disableChecks",
            );
        }
        if p.and_then(|p| p.delay_before_checks.as_ref()).is_none()
            && let Some(d) = &dns.delay_before_check
        {
            propagation.delay_before_checks =
                self.duration(&format!("{path}.delayBeforeCheck"), Some(d), Duration::ZERO);
            self.warn(
                &format!("{path}.delayBeforeCheck"),
                "deprecated; use propagation.delayBeforeChecks",
            );
        }
        let mut resolvers = Vec::new();
        for (i, r) in dns.resolvers.iter().flatten().enumerate() {
            let r = r.trim();
            if r.is_empty() || r.contains(char::is_whitespace) {
                self.error(
                    &format!("{path}.resolvers[{i}]"),
                    format!("invalid resolver {r:?} (expected host or host:port)"),
                );
            } else {
                resolvers.push(r.to_owned());
            }
        }
        Some(DnsChallengeSpec {
            provider: provider?,
            resolvers,
            propagation,
        })
    }
}

#[cfg(test)]
mod tests;
