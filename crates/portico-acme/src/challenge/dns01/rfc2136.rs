//! lego's `rfc2136` DNS provider: RFC 2136 dynamic updates, signed with TSIG.
//!
//! The zone is found by asking the nameserver for the SOA of the challenge name
//! (the SOA in the answer or authority section), then the TXT record is added or
//! deleted by value with an UPDATE message signed with the TSIG key. Messages are built
//! and signed by `hickory-proto`. TSIG algorithms: `hmac-sha256` (the default here;
//! lego defaults to `hmac-sha1`, which is refused), `hmac-sha384`, `hmac-sha512`.

use std::{net::SocketAddr, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD};
use hickory_proto::{
    op::{Message, Query, ResponseCode, update_message},
    rr::{
        DNSClass, Name, RData, RecordSet, RecordType, TSigner, rdata::TXT,
        rdata::tsig::TsigAlgorithm,
    },
};

use super::{BoxFuture, ChallengeRecord, DnsError, DnsProvider, propagation::exchange};

/// A TSIG key (`RFC2136_TSIG_KEY`, `RFC2136_TSIG_SECRET`, `RFC2136_TSIG_ALGORITHM`).
#[derive(Clone)]
pub struct TsigKey {
    /// The key name.
    pub name: String,
    /// The secret, decoded from base64.
    pub secret: Vec<u8>,
    /// `hmac-sha256`, `hmac-sha384` or `hmac-sha512`.
    pub algorithm: String,
}

/// Sends signed dynamic updates to `nameserver`.
///
/// ```
/// use std::collections::HashMap;
/// use portico_acme::challenge::dns01::Rfc2136Provider;
///
/// let env = HashMap::from([
///     ("RFC2136_NAMESERVER", "127.0.0.1:53"),
///     ("RFC2136_TSIG_KEY", "acme"),
///     ("RFC2136_TSIG_SECRET", "c2VjcmV0c2VjcmV0c2VjcmV0"),
/// ]);
/// let p = Rfc2136Provider::from_vars(|k| env.get(k).map(|v| v.to_string())).unwrap();
/// assert_eq!(p.tsig.unwrap().algorithm, "hmac-sha256");
/// ```
#[derive(Clone, Debug)]
pub struct Rfc2136Provider {
    /// The primary nameserver of the zone.
    pub nameserver: SocketAddr,
    /// The TSIG key; updates are unsigned without one.
    pub tsig: Option<TsigKey>,
    /// TTL of the TXT record (`RFC2136_TTL`, default 120).
    pub ttl: u32,
    /// Time one exchange may take (`RFC2136_DNS_TIMEOUT` in seconds, default 10).
    pub timeout: Duration,
}

impl std::fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsigKey")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

// === impl Rfc2136Provider ===

impl Rfc2136Provider {
    /// Reads lego's settings through `var`: `RFC2136_NAMESERVER` (required, `ip` or
    /// `ip:port`), `RFC2136_TSIG_KEY`, `RFC2136_TSIG_SECRET` (base64),
    /// `RFC2136_TSIG_ALGORITHM`, `RFC2136_TTL`, `RFC2136_DNS_TIMEOUT`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, DnsError> {
        let setting = |name: &'static str, reason: String| DnsError::Setting { name, reason };
        let ns = var("RFC2136_NAMESERVER")
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| setting("RFC2136_NAMESERVER", "is required".to_owned()))?;
        let nameserver = ns
            .parse::<SocketAddr>()
            .or_else(|_| {
                ns.parse::<std::net::IpAddr>()
                    .map(|ip| SocketAddr::new(ip, 53))
            })
            .map_err(|_| {
                setting(
                    "RFC2136_NAMESERVER",
                    format!("not an ip or ip:port: {ns:?}"),
                )
            })?;
        let tsig = match (var("RFC2136_TSIG_KEY"), var("RFC2136_TSIG_SECRET")) {
            (Some(name), Some(secret)) if !name.trim().is_empty() => {
                let secret = STANDARD
                    .decode(secret.trim())
                    .map_err(|_| setting("RFC2136_TSIG_SECRET", "not valid base64".to_owned()))?;
                let algorithm = var("RFC2136_TSIG_ALGORITHM")
                    .map(|a| a.trim().trim_end_matches('.').to_ascii_lowercase())
                    .filter(|a| !a.is_empty())
                    .unwrap_or_else(|| "hmac-sha256".to_owned());
                let key = TsigKey {
                    name: name.trim().to_owned(),
                    secret,
                    algorithm,
                };
                key.signer()?;
                Some(key)
            }
            _ => None,
        };
        let number = |name: &'static str, default: u64| -> Result<u64, DnsError> {
            var(name).map_or(Ok(default), |v| {
                v.trim()
                    .parse()
                    .map_err(|_| setting(name, format!("not a number: {v:?}")))
            })
        };
        Ok(Rfc2136Provider {
            nameserver,
            tsig,
            ttl: u32::try_from(number("RFC2136_TTL", 120)?).unwrap_or(u32::MAX),
            timeout: Duration::from_secs(number("RFC2136_DNS_TIMEOUT", 10)?.max(1)),
        })
    }

    /// The zone holding `fqdn`, from the nameserver's SOA answer.
    async fn zone(&self, fqdn: &Name) -> Result<Name, DnsError> {
        let mut query = Message::query();
        query.add_query(Query::query(fqdn.clone(), RecordType::SOA));
        let rsp = self.send(query, &fqdn.to_ascii()).await?;
        rsp.answers
            .iter()
            .chain(rsp.authorities.iter())
            .find(|r| r.record_type() == RecordType::SOA)
            .map(|r| r.name.clone())
            .ok_or_else(|| DnsError::Refused {
                server: self.nameserver.to_string(),
                name: fqdn.to_ascii(),
                rcode: "no SOA found for the challenge name".to_owned(),
            })
    }

    async fn send(&self, mut msg: Message, name: &str) -> Result<Message, DnsError> {
        let bad = |source: Box<dyn std::error::Error + Send + Sync>| DnsError::Message {
            name: name.to_owned(),
            source,
        };
        if let Some(key) = &self.tsig {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            msg.finalize(&key.signer()?, now)
                .map_err(|e| bad(Box::new(e)))?;
        }
        let bytes = msg.to_vec().map_err(|e| bad(Box::new(e)))?;
        let rsp = exchange(self.nameserver, &bytes, msg.metadata.id, self.timeout).await?;
        let rsp = Message::from_vec(&rsp).map_err(|e| bad(Box::new(e)))?;
        if rsp.metadata.response_code != ResponseCode::NoError {
            return Err(DnsError::Refused {
                server: self.nameserver.to_string(),
                name: name.to_owned(),
                rcode: rsp.metadata.response_code.to_string(),
            });
        }
        Ok(rsp)
    }

    async fn update(&self, record: &ChallengeRecord, add: bool) -> Result<(), DnsError> {
        let fqdn = Name::from_ascii(&record.fqdn).map_err(|e| DnsError::Message {
            name: record.fqdn.clone(),
            source: Box::new(e),
        })?;
        let zone = self.zone(&fqdn).await?;
        // hickory asserts this; a nameserver answering a foreign SOA must not panic us.
        if !zone.zone_of(&fqdn) {
            return Err(DnsError::Refused {
                server: self.nameserver.to_string(),
                name: record.fqdn.clone(),
                rcode: format!(
                    "SOA {} does not enclose the challenge name",
                    zone.to_ascii()
                ),
            });
        }
        let mut rrset = RecordSet::with_ttl(fqdn, RecordType::TXT, self.ttl);
        rrset.set_dns_class(DNSClass::IN);
        rrset.add_rdata(RData::TXT(TXT::new(vec![record.value.clone()])));
        let msg = if add {
            update_message::append(rrset, zone, false, false)
        } else {
            update_message::delete_by_rdata(rrset, zone, false)
        };
        self.send(msg, &record.fqdn).await?;
        tracing::debug!(fqdn = %record.fqdn, add, nameserver = %self.nameserver, "rfc2136 update done");
        Ok(())
    }
}

impl DnsProvider for Rfc2136Provider {
    fn present<'a>(&'a self, record: &'a ChallengeRecord) -> BoxFuture<'a, Result<(), DnsError>> {
        Box::pin(self.update(record, true))
    }

    fn cleanup<'a>(&'a self, record: &'a ChallengeRecord) -> BoxFuture<'a, Result<(), DnsError>> {
        Box::pin(self.update(record, false))
    }
}

// === impl TsigKey ===

impl TsigKey {
    /// The hickory signer for this key, or why the key is unusable.
    pub(crate) fn signer(&self) -> Result<TSigner, DnsError> {
        let setting = |name, reason| DnsError::Setting { name, reason };
        let algorithm = match self.algorithm.as_str() {
            "hmac-sha256" => TsigAlgorithm::HmacSha256,
            "hmac-sha384" => TsigAlgorithm::HmacSha384,
            "hmac-sha512" => TsigAlgorithm::HmacSha512,
            other => {
                return Err(setting(
                    "RFC2136_TSIG_ALGORITHM",
                    format!(
                        "unsupported algorithm {other:?} (expected hmac-sha256, hmac-sha384 or hmac-sha512)"
                    ),
                ));
            }
        };
        let name = Name::from_ascii(&self.name).map_err(|_| {
            setting(
                "RFC2136_TSIG_KEY",
                format!("invalid key name {:?}", self.name),
            )
        })?;
        TSigner::new(self.secret.clone(), algorithm, name, 300)
            .map_err(|e| setting("RFC2136_TSIG_ALGORITHM", e.to_string()))
    }
}

#[cfg(test)]
mod tests;
