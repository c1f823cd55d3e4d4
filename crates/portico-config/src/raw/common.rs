//! Types shared by the install and routing models: client TLS, domains,
//! SPIFFE, certificate pairs, observability switches, encoded characters.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// A client certificate for mutual TLS towards servers (`certificates` of a
/// servers transport): a `{certFile, keyFile}` pair.
///
/// Traefik's documentation also shows a list of path strings here
/// (`dynamic/serverstransport-all-options.yaml`). Traefik decodes those into
/// an empty list without a word; Portico keeps each string as [`Self::Path`]
/// so validation can say why the certificate is not used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ClientCertificate {
    /// The `{certFile, keyFile}` form.
    Pair(CertificatePair),
    /// A bare string where a pair was expected.
    Path(String),
}
/// TLS settings of a client connection to a backend (providers, forwardAuth,
/// redis, OTLP exporters): Traefik's `types.ClientTLS`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientTls {
    /// CA certificate: a path or inline PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<String>,
    /// Client certificate: a path or inline PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<String>,
    /// Client private key: a path or inline PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Skip verification of the server certificate (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
    /// Deprecated in Traefik: accept a missing CA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_optional: Option<bool>,
}

/// A certificate domain: a main name and its alternative names (`types.Domain`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Domain {
    /// The main domain name (the certificate's common name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main: Option<String>,
    /// Subject alternative names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sans: Option<Vec<String>>,
}

/// SPIFFE verification of server identities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spiffe {
    /// Allowed SPIFFE IDs (take precedence over `trustDomain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    /// Allowed SPIFFE trust domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_domain: Option<String>,
}

/// A certificate and its key, each a file path or inline PEM (`tls.Certificate`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CertificatePair {
    /// The certificate: a path or inline PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<String>,
    /// The private key: a path or inline PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
}

/// Per entrypoint or per router observability switches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Observability {
    /// Write access logs (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_logs: Option<bool>,
    /// Record metrics (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<bool>,
    /// Record traces (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracing: Option<bool>,
    /// `minimal` (default) or `detailed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_verbosity: Option<String>,
}

/// Which percent-encoded characters a request path may contain (entrypoint
/// `http.encodedCharacters` and the `encodedCharacters` middleware).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncodedCharacters {
    /// Allow `%2F`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_encoded_slash: Option<bool>,
    /// Allow `%5C`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_encoded_back_slash: Option<bool>,
    /// Allow `%00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_encoded_null_character: Option<bool>,
    /// Allow `%3B`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_encoded_semicolon: Option<bool>,
    /// Allow `%25`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_encoded_percent: Option<bool>,
    /// Allow `%3F`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_encoded_question_mark: Option<bool>,
    /// Allow `%23`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_encoded_hash: Option<bool>,
}

// === impl ClientCertificate ===

impl<'de> Deserialize<'de> for ClientCertificate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("CertificatePair", PAIR_FIELDS, ClientCertificateVisitor)
    }
}

const PAIR_FIELDS: &[&str] = &["certFile", "keyFile"];

struct ClientCertificateVisitor;

impl<'de> Visitor<'de> for ClientCertificateVisitor {
    type Value = ClientCertificate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map with certFile and keyFile")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ClientCertificate, E> {
        Ok(ClientCertificate::Path(v.to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ClientCertificate, A::Error> {
        CertificatePair::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(ClientCertificate::Pair)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_certificate_takes_a_pair_or_a_path() {
        let got: Vec<ClientCertificate> =
            crate::de::deserialize(serde_yaml::Deserializer::from_str(
                "- certFile: a.pem\n  KEYFILE: a.key\n- /path/to/b.pem\n",
            ))
            .unwrap();
        assert_eq!(
            got,
            [
                ClientCertificate::Pair(CertificatePair {
                    cert_file: Some("a.pem".into()),
                    key_file: Some("a.key".into()),
                }),
                ClientCertificate::Path("/path/to/b.pem".into()),
            ]
        );
        let json = serde_json::to_value(&got).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{ "certFile": "a.pem", "keyFile": "a.key" }, "/path/to/b.pem"])
        );
    }
}
