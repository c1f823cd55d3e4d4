//! The JSON layout of Traefik's `acme.json` (`map[string]*acme.StoredData`).

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The whole file: one entry per resolver name.
pub type AcmeFile = BTreeMap<String, ResolverData>;

/// One resolver's data (`acme.StoredData`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResolverData {
    /// The ACME account (`null` before the first registration).
    #[serde(rename = "Account", default)]
    pub account: Option<StoredAccount>,
    /// The certificates (`null` when there are none).
    #[serde(rename = "Certificates", default, deserialize_with = "null_as_empty")]
    pub certificates: Vec<StoredCertificate>,
}

/// An ACME account (`acme.Account`).
///
/// Traefik stores an RSA account key as PKCS#1 DER; Portico (through instant-acme)
/// uses ECDSA P-256 keys, stored as PKCS#8 DER. The field is the DER, base64 in JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredAccount {
    /// `Email`.
    #[serde(rename = "Email", default)]
    pub email: String,
    /// `Registration`: the account URL and the CA's account object.
    #[serde(rename = "Registration", default)]
    pub registration: Option<Registration>,
    /// `PrivateKey`: the account key, DER.
    #[serde(rename = "PrivateKey", default, with = "b64_opt")]
    pub private_key: Option<Vec<u8>>,
    /// `KeyType`: lego's name of the certificates' key type (`4096`, `P256`, ...).
    #[serde(rename = "KeyType", default)]
    pub key_type: String,
}

/// `registration.Resource`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    /// `body`: the account object as the CA returned it.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub body: serde_json::Value,
    /// `uri`: the account URL (the key id of signed requests).
    #[serde(default)]
    pub uri: String,
}

/// One certificate (`acme.CertAndStore`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredCertificate {
    /// `domain`: the names.
    #[serde(default)]
    pub domain: StoredDomain,
    /// `certificate`: the PEM chain, leaf first.
    #[serde(default, with = "b64")]
    pub certificate: Vec<u8>,
    /// `key`: the PEM private key.
    #[serde(default, with = "b64")]
    pub key: Vec<u8>,
    /// `Store`: the TLS store (`default`).
    #[serde(rename = "Store", default)]
    pub store: String,
}

/// `types.Domain`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDomain {
    /// `main`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub main: String,
    /// `sans`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_empty"
    )]
    pub sans: Vec<String>,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Go's `[]byte` in JSON: standard base64 with padding.
mod b64 {
    use super::*;

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(super::b64_opt::deserialize(d)?.unwrap_or_default())
    }
}

mod b64_opt {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => s.serialize_str(&STANDARD.encode(b)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => STANDARD
                .decode(text.trim())
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

// === impl StoredCertificate ===

impl StoredCertificate {
    /// The names, `main` first.
    pub fn names(&self) -> Vec<String> {
        std::iter::once(self.domain.main.clone())
            .chain(self.domain.sans.iter().cloned())
            .filter(|n| !n.is_empty())
            .collect()
    }

    /// The certificate chain as PEM text.
    pub fn certificate_pem(&self) -> String {
        String::from_utf8_lossy(&self.certificate).into_owned()
    }

    /// The private key as PEM text.
    pub fn key_pem(&self) -> String {
        String::from_utf8_lossy(&self.key).into_owned()
    }
}
