//! Waiting until resolvers see a DNS-01 TXT record.
//!
//! The configured `resolvers` (or those of `/etc/resolv.conf`) are asked for the TXT
//! records of the challenge name every `interval` until the value shows up on one of
//! them (on all of them with `requireAllRNS`), for at most `timeout`. Checks against
//! the zone's authoritative nameservers (lego's default besides the recursive ones)
//! are not done: `disableANSChecks` is accepted and has no effect.

use std::{net::SocketAddr, time::Duration};

use hickory_proto::{
    op::{Message, Query},
    rr::{Name, RData, RecordType},
};
use portico_config::model::DnsChallengeSpec;
use tokio::net::UdpSocket;

use super::DnsError;

/// How to check that a TXT record propagated.
///
/// ```
/// use portico_acme::challenge::dns01::PropagationCheck;
/// let check = PropagationCheck::new(vec!["127.0.0.1:8053".into()]);
/// assert!(!check.disabled && !check.require_all);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropagationCheck {
    /// `host:port` or `host` (port 53) of the resolvers to ask; `/etc/resolv.conf`'s
    /// nameservers when empty.
    pub resolvers: Vec<String>,
    /// `disableChecks`: only wait `delay`.
    pub disabled: bool,
    /// `requireAllRNS`: every resolver must see the record.
    pub require_all: bool,
    /// `delayBeforeChecks`.
    pub delay: Duration,
    /// Give up after this long (default 60s, lego's).
    pub timeout: Duration,
    /// Time between rounds (default 2s, lego's).
    pub interval: Duration,
    /// Time one query may take (default 5s).
    pub query_timeout: Duration,
}

// === impl PropagationCheck ===

impl PropagationCheck {
    /// Checks against `resolvers` with lego's defaults.
    pub fn new(resolvers: Vec<String>) -> Self {
        PropagationCheck {
            resolvers,
            disabled: false,
            require_all: false,
            delay: Duration::ZERO,
            timeout: Duration::from_secs(60),
            interval: Duration::from_secs(2),
            query_timeout: Duration::from_secs(5),
        }
    }

    /// The check configured by `dnsChallenge`.
    pub fn from_spec(spec: &DnsChallengeSpec) -> Self {
        PropagationCheck {
            disabled: spec.propagation.disable_checks,
            require_all: spec.propagation.require_all_rns,
            delay: spec.propagation.delay_before_checks,
            ..PropagationCheck::new(spec.resolvers.clone())
        }
    }

    /// Waits `delay`, then until the resolvers answer `value` for `fqdn`.
    pub async fn wait(&self, fqdn: &str, value: &str) -> Result<(), DnsError> {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        if self.disabled {
            return Ok(());
        }
        let servers = self.servers().await?;
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let mut seen = 0;
            for server in &servers {
                match query_txt(*server, fqdn, self.query_timeout).await {
                    Ok(values) if values.iter().any(|v| v == value) => seen += 1,
                    Ok(_) => {}
                    Err(e) => tracing::debug!(%server, fqdn, error = %e, "TXT query failed"),
                }
            }
            let done = if self.require_all {
                seen == servers.len()
            } else {
                seen > 0
            };
            if done {
                return Ok(());
            }
            if tokio::time::Instant::now() + self.interval > deadline {
                return Err(DnsError::NotPropagated {
                    fqdn: fqdn.to_owned(),
                    resolvers: servers
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                    after: self.timeout,
                });
            }
            tokio::time::sleep(self.interval).await;
        }
    }

    async fn servers(&self) -> Result<Vec<SocketAddr>, DnsError> {
        let configured = if self.resolvers.is_empty() {
            system_resolvers()
        } else {
            self.resolvers.clone()
        };
        let mut out = Vec::new();
        for r in &configured {
            let with_port = match r.parse::<std::net::IpAddr>() {
                Ok(ip) => SocketAddr::new(ip, 53).to_string(),
                Err(_) if r.contains(':') => r.clone(),
                Err(_) => format!("{r}:53"),
            };
            let addrs = tokio::net::lookup_host(&with_port)
                .await
                .map_err(|source| DnsError::Io {
                    server: r.clone(),
                    source,
                })?;
            out.extend(addrs.take(1));
        }
        if out.is_empty() {
            return Err(DnsError::Setting {
                name: "resolvers",
                reason: "no DNS resolver configured or found in /etc/resolv.conf".to_owned(),
            });
        }
        Ok(out)
    }
}

fn system_resolvers() -> Vec<String> {
    std::fs::read_to_string("/etc/resolv.conf")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The TXT values of `fqdn` according to `server` (each record's strings joined).
pub(crate) async fn query_txt(
    server: SocketAddr,
    fqdn: &str,
    timeout: Duration,
) -> Result<Vec<String>, DnsError> {
    let bad_message = |source: Box<dyn std::error::Error + Send + Sync>| DnsError::Message {
        name: fqdn.to_owned(),
        source,
    };
    let name = Name::from_ascii(fqdn).map_err(|e| bad_message(Box::new(e)))?;
    let mut query = Message::query();
    query.metadata.recursion_desired = true;
    query.add_query(Query::query(name, RecordType::TXT));
    let bytes = query.to_vec().map_err(|e| bad_message(Box::new(e)))?;
    let response = exchange(server, &bytes, query.metadata.id, timeout).await?;
    let response = Message::from_vec(&response).map_err(|e| bad_message(Box::new(e)))?;
    Ok(response
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::TXT(txt) => Some(
                txt.txt_data
                    .iter()
                    .map(|part| String::from_utf8_lossy(part))
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect())
}

/// Sends `bytes` to `server` over UDP and returns the answer with the same id.
pub(crate) async fn exchange(
    server: SocketAddr,
    bytes: &[u8],
    id: u16,
    timeout: Duration,
) -> Result<Vec<u8>, DnsError> {
    let io = |source| DnsError::Io {
        server: server.to_string(),
        source,
    };
    let local: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(local).await.map_err(io)?;
    socket.connect(server).await.map_err(io)?;
    socket.send(bytes).await.map_err(io)?;
    let mut buf = vec![0u8; 4096];
    let recv = async {
        loop {
            let n = socket.recv(&mut buf).await?;
            if n >= 2 && u16::from_be_bytes([buf[0], buf[1]]) == id {
                return Ok::<_, std::io::Error>(buf[..n].to_vec());
            }
        }
    };
    tokio::time::timeout(timeout, recv)
        .await
        .map_err(|_| DnsError::Timeout {
            what: format!("DNS query to {server}"),
            after: timeout,
        })?
        .map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn disabled_checks_only_wait() {
        let check = PropagationCheck {
            disabled: true,
            ..PropagationCheck::new(vec!["192.0.2.1".into()])
        };
        check
            .wait("_acme-challenge.example.com.", "v")
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_unanswered_record_times_out_naming_it() {
        // A UDP socket that never answers.
        let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = silent.local_addr().unwrap();
        let check = PropagationCheck {
            timeout: Duration::from_millis(300),
            interval: Duration::from_millis(100),
            query_timeout: Duration::from_millis(50),
            ..PropagationCheck::new(vec![addr.to_string()])
        };
        let err = check
            .wait("_acme-challenge.example.com.", "v")
            .await
            .unwrap_err();
        assert!(matches!(err, DnsError::NotPropagated { .. }));
        assert!(
            err.to_string().contains("_acme-challenge.example.com."),
            "{err}"
        );
    }
}
