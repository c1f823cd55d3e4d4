//! TLS: certificates from Secrets (IngressRoute `tls.secretName`, TLSStore),
//! TLSOptions with client CAs from Secrets (`crd/kubernetes.go buildTLSOptions,
//! buildTLSStores, getTLSHTTP`).

use std::collections::BTreeMap;

use portico_config::raw::{
    CertificatePair,
    routing::{ClientAuth, TlsCertificate, TlsOptions, TlsStore},
};

use super::{
    Builder,
    spec::{IngressRouteTls, Object, TlsOptionSpec, TlsStoreSpec},
};
use crate::{cluster::Kind, names};

/// The name of the options and store that apply when none is named.
const DEFAULT: &str = "default";

impl Builder<'_> {
    /// Serves the certificate of an IngressRoute's `tls.secretName` (from the
    /// IngressRoute's namespace) in the default store. A missing Secret leaves
    /// the routes served with the default certificate, as Traefik does.
    pub(super) fn secret_certificate(&mut self, ns: &str, name: &str, tls: &IngressRouteTls) {
        let Some(secret) = tls.secret_name.as_deref().filter(|s| !s.is_empty()) else {
            return;
        };
        match self.backends.tls_pair(ns, secret) {
            Ok((cert, key)) => self.add_certificate(cert, key, None),
            Err(e) => self.out.warnings.push(format!(
                "ingressroute {ns}/{name}: tls.secretName: {e}; its hosts get the default certificate"
            )),
        }
    }

    fn add_certificate(&mut self, cert: String, key: String, stores: Option<Vec<String>>) {
        let certificate = TlsCertificate {
            cert_file: Some(cert),
            key_file: Some(key),
            stores,
        };
        let all = self.out.tls().certificates.get_or_insert_with(Vec::new);
        if !all.contains(&certificate) {
            all.push(certificate);
        }
    }

    /// Every TLSOption, as `<namespace>-<name>`; one named `default` replaces the
    /// default options (two in different namespaces: neither applies).
    pub(super) fn tls_options(&mut self) {
        let mut defaults = Vec::new();
        let mut built = BTreeMap::new();
        for typed in self.cluster.typed::<Object<TlsOptionSpec>>(Kind::TlsOption) {
            let key = typed.key;
            let id = if key.name == DEFAULT {
                defaults.push(key.namespace.clone());
                DEFAULT.to_owned()
            } else {
                names::normalize(&names::make_id(&key.namespace, &key.name))
            };
            let options = typed
                .object
                .and_then(|o| self.tls_option(&key.namespace, o.spec));
            match options {
                Ok(options) => {
                    built.insert(id, options);
                }
                Err(e) => self
                    .out
                    .warnings
                    .push(format!("tlsoption {key}: {e}; not applied")),
            }
        }
        if defaults.len() > 1 {
            built.remove(DEFAULT);
            self.out.warnings.push(format!(
                "TLSOption default is defined in several namespaces ({}); none applies",
                defaults.join(", ")
            ));
        }
        if !built.is_empty() {
            self.out
                .tls()
                .options
                .get_or_insert_with(BTreeMap::new)
                .extend(built);
        }
    }

    fn tls_option(&self, ns: &str, spec: TlsOptionSpec) -> Result<TlsOptions, String> {
        let client_auth = match spec.client_auth {
            None => None,
            Some(auth) => {
                let ca_files = auth
                    .secret_names
                    .iter()
                    .map(|s| self.backends.ca(ns, s))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("clientAuth.secretNames: {e}"))?;
                Some(ClientAuth {
                    ca_files: (!ca_files.is_empty()).then_some(ca_files),
                    client_auth_type: auth.client_auth_type,
                })
            }
        };
        Ok(TlsOptions {
            min_version: spec.min_version,
            max_version: spec.max_version,
            cipher_suites: spec.cipher_suites,
            curve_preferences: spec.curve_preferences,
            client_auth,
            sni_strict: spec.sni_strict,
            alpn_protocols: spec.alpn_protocols,
            disable_session_tickets: spec.disable_session_tickets,
            prefer_server_cipher_suites: spec.prefer_server_cipher_suites,
        })
    }

    /// The TLSStore named `default` (the only store): its certificates, default
    /// certificate and generated-certificate settings.
    pub(super) fn tls_stores(&mut self) {
        let stores: Vec<_> = self
            .cluster
            .typed::<Object<TlsStoreSpec>>(Kind::TlsStore)
            .collect();
        let defaults: Vec<_> = stores.iter().filter(|s| s.key.name == DEFAULT).collect();
        for other in stores.iter().filter(|s| s.key.name != DEFAULT) {
            self.out.warnings.push(format!(
                "tlsstore {}: only the store named default is used; ignored",
                other.key
            ));
        }
        let [store] = defaults.as_slice() else {
            if defaults.len() > 1 {
                let namespaces: Vec<&str> =
                    defaults.iter().map(|s| s.key.namespace.as_str()).collect();
                self.out.warnings.push(format!(
                    "TLSStore default is defined in several namespaces ({}); none applies",
                    namespaces.join(", ")
                ));
            }
            return;
        };
        let ns = store.key.namespace.clone();
        let spec = match &store.object {
            Ok(o) => o.spec.clone(),
            Err(e) => {
                self.out
                    .warnings
                    .push(format!("tlsstore {}: {e}; not applied", store.key));
                return;
            }
        };
        for cert in &spec.certificates {
            match self.backends.tls_pair(&ns, &cert.secret_name) {
                Ok((c, k)) => self.add_certificate(c, k, Some(vec![DEFAULT.to_owned()])),
                Err(e) => self
                    .out
                    .warnings
                    .push(format!("tlsstore {}: certificates: {e}", store.key)),
            }
        }
        let default_certificate = match &spec.default_certificate {
            None => None,
            Some(d) => match self.backends.tls_pair(&ns, &d.secret_name) {
                Ok((c, k)) => Some(CertificatePair {
                    cert_file: Some(c),
                    key_file: Some(k),
                }),
                Err(e) => {
                    self.out
                        .warnings
                        .push(format!("tlsstore {}: defaultCertificate: {e}", store.key));
                    None
                }
            },
        };
        self.out
            .tls()
            .stores
            .get_or_insert_with(BTreeMap::new)
            .insert(
                DEFAULT.to_owned(),
                TlsStore {
                    default_certificate,
                    default_generated_cert: spec.default_generated_cert,
                },
            );
    }
}
