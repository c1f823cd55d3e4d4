//! ServersTransports, with CAs and client certificates from Secrets
//! (`crd/kubernetes.go` ServersTransport loop).

use portico_config::raw::{CertificatePair, ClientCertificate, routing::ServersTransport};

use super::{
    Builder,
    spec::{Object, ServersTransportSpec},
};
use crate::{cluster::Kind, names};

impl Builder<'_> {
    /// Every ServersTransport, as `<namespace>-<name>`.
    pub(super) fn servers_transports(&mut self) {
        for typed in self
            .cluster
            .typed::<Object<ServersTransportSpec>>(Kind::ServersTransport)
        {
            let id = names::normalize(&names::make_id(&typed.key.namespace, &typed.key.name));
            let built = typed
                .object
                .and_then(|t| self.servers_transport(&typed.key.namespace, t.spec));
            match built {
                Ok(transport) => self.out.add_servers_transport(id, transport),
                // A service naming it reports the missing transport.
                Err(e) => self
                    .out
                    .warnings
                    .push(format!("serverstransport {}: {e}; not applied", typed.key)),
            }
        }
    }

    fn servers_transport(
        &self,
        ns: &str,
        spec: ServersTransportSpec,
    ) -> Result<ServersTransport, String> {
        let mut root_cas = Vec::new();
        for secret in &spec.root_cas_secrets {
            root_cas.push(
                self.backends
                    .ca(ns, secret)
                    .map_err(|e| format!("rootCAsSecrets: {e}"))?,
            );
        }
        for source in &spec.root_cas {
            match (&source.secret, &source.config_map) {
                (Some(secret), None) => root_cas.push(
                    self.backends
                        .ca(ns, secret)
                        .map_err(|e| format!("rootCAs: {e}"))?,
                ),
                (None, Some(map)) => {
                    return Err(format!(
                        "rootCAs: configMap {map:?} is not supported; use a Secret"
                    ));
                }
                _ => return Err("rootCAs: set exactly one of secret and configMap".into()),
            }
        }
        let mut certificates = Vec::new();
        for secret in &spec.certificates_secrets {
            let (cert, key) = self
                .backends
                .tls_pair(ns, secret)
                .map_err(|e| format!("certificatesSecrets: {e}"))?;
            certificates.push(ClientCertificate::Pair(CertificatePair {
                cert_file: Some(cert),
                key_file: Some(key),
            }));
        }
        Ok(ServersTransport {
            server_name: spec.server_name,
            insecure_skip_verify: spec.insecure_skip_verify,
            root_cas: (!root_cas.is_empty()).then_some(root_cas),
            certificates: (!certificates.is_empty()).then_some(certificates),
            cipher_suites: spec.cipher_suites,
            min_version: spec.min_version,
            max_version: spec.max_version,
            max_idle_conns_per_host: spec.max_idle_conns_per_host,
            forwarding_timeouts: spec.forwarding_timeouts,
            disable_http2: spec.disable_http2,
            peer_cert_uri: spec.peer_cert_uri,
            peer_cert_sans: None,
            spiffe: spec.spiffe,
        })
    }
}
