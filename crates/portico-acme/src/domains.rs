//! Which names a router's certificate covers, and which of them ACME can issue.
//!
//! Traefik's rule: a router's `tls.domains` (each entry one certificate: `main` plus
//! `sans`), or, when there is none, the `Host` values of its rule (one certificate,
//! the first host as `main`). A wildcard needs DNS-01, may only be `main`, and may not
//! be `*.*`.
//!
//! # Example
//!
//! ```
//! use portico_acme::domains_for_router;
//! use portico_config::model::TlsDomain;
//!
//! let from_rule = domains_for_router(&[], &["a.example.com".into(), "b.example.com".into()]);
//! assert_eq!(from_rule[0].names(), ["a.example.com", "b.example.com"]);
//!
//! let explicit = [TlsDomain { main: "*.example.com".into(), sans: vec![] }];
//! let certs = domains_for_router(&explicit, &["ignored.example.com".into()]);
//! assert!(certs[0].check(false).is_err(), "wildcards need DNS-01");
//! assert_eq!(certs[0].check(true).unwrap(), ["*.example.com"]);
//! ```

use std::fmt;

use portico_config::model::TlsDomain;

/// The names of one certificate: `main` first, then the SANs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CertDomains {
    /// The main name (the certificate's common name).
    pub main: String,
    /// Further names.
    pub sans: Vec<String>,
}

/// Why a set of names cannot be ordered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// No name at all.
    #[error("no domain given")]
    Empty,
    /// A wildcard without the DNS-01 challenge.
    #[error("wildcard domain {domain:?} needs the DNS-01 challenge (dnsChallenge)")]
    WildcardNeedsDns01 {
        /// The wildcard name.
        domain: String,
    },
    /// `*.*...`.
    #[error("wildcard domain {domain:?} is not allowed (ACME refuses '*.*')")]
    DoubleWildcard {
        /// The name.
        domain: String,
    },
    /// A wildcard among the SANs.
    #[error("SAN {san:?} of {main:?} can not be a wildcard domain")]
    WildcardSan {
        /// The certificate's main name.
        main: String,
        /// The wildcard SAN.
        san: String,
    },
    /// Not a DNS name.
    #[error("invalid domain {domain:?}")]
    Invalid {
        /// The name.
        domain: String,
    },
}

/// The certificates a router needs from its resolver.
///
/// `tls_domains` is the router's `tls.domains`; `rule_hosts` the `Host` values of its
/// rule (`portico_rules::Rule::hosts()`), used only when `tls_domains` is empty.
/// Duplicates, and names already covered by a wildcard of another entry, are dropped
/// as Traefik's `deleteUnnecessaryDomains` does. See the [module example](self).
pub fn domains_for_router(tls_domains: &[TlsDomain], rule_hosts: &[String]) -> Vec<CertDomains> {
    if tls_domains.is_empty() {
        let mut names = rule_hosts.iter().map(|h| clean(h));
        return match names.next() {
            Some(main) => vec![CertDomains::new(main, names)],
            None => Vec::new(),
        };
    }
    let all: Vec<CertDomains> = tls_domains
        .iter()
        .map(|d| CertDomains::new(clean(&d.main), d.sans.iter().map(|s| clean(s))))
        .collect();
    let mut out: Vec<CertDomains> = Vec::new();
    for (i, candidate) in all.iter().enumerate() {
        if out.contains(candidate) {
            continue;
        }
        let covered = all.iter().enumerate().any(|(j, other)| {
            i != j
                && other.main.starts_with("*.")
                && other.main != candidate.main
                && candidate
                    .names()
                    .iter()
                    .all(|n| wildcard_covers(&other.main, n))
        });
        if !covered {
            out.push(candidate.clone());
        }
    }
    out
}

fn clean(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `*.example.com` covers `name` (one label only).
fn wildcard_covers(wildcard: &str, name: &str) -> bool {
    let Some(suffix) = wildcard.strip_prefix('*') else {
        return false;
    };
    name.strip_suffix(suffix)
        .is_some_and(|label| !label.is_empty() && !label.contains('.'))
}

// === impl CertDomains ===

impl CertDomains {
    /// A certificate for `main` and `sans` (names are lower-cased, a trailing dot and
    /// duplicates of earlier names dropped).
    ///
    /// ```
    /// use portico_acme::CertDomains;
    /// let d = CertDomains::new("Example.COM.", ["www.example.com", "example.com"]);
    /// assert_eq!(d.names(), ["example.com", "www.example.com"]);
    /// ```
    pub fn new<S: Into<String>>(
        main: impl Into<String>,
        sans: impl IntoIterator<Item = S>,
    ) -> Self {
        let main = clean(&main.into());
        let mut out = CertDomains {
            main,
            sans: Vec::new(),
        };
        for san in sans {
            let san = clean(&san.into());
            if !san.is_empty() && san != out.main && !out.sans.contains(&san) {
                out.sans.push(san);
            }
        }
        out
    }

    /// `main` then the SANs.
    pub fn names(&self) -> Vec<String> {
        std::iter::once(self.main.clone())
            .chain(self.sans.iter().cloned())
            .collect()
    }

    /// Whether the certificate covers `name` (exactly, or through a wildcard).
    ///
    /// ```
    /// use portico_acme::CertDomains;
    /// let d = CertDomains::new("*.example.com", ["example.com"]);
    /// assert!(d.covers("a.example.com") && d.covers("example.com"));
    /// assert!(!d.covers("a.b.example.com"));
    /// ```
    pub fn covers(&self, name: &str) -> bool {
        let name = clean(name);
        self.names()
            .iter()
            .any(|n| *n == name || wildcard_covers(n, &name))
    }

    /// The names to order, or why ACME cannot issue them; `dns01` tells whether the
    /// resolver has the DNS-01 challenge (needed for wildcards).
    pub fn check(&self, dns01: bool) -> Result<Vec<String>, DomainError> {
        if self.main.is_empty() {
            return Err(DomainError::Empty);
        }
        if self.main.starts_with('*') {
            if self.main.starts_with("*.*") {
                return Err(DomainError::DoubleWildcard {
                    domain: self.main.clone(),
                });
            }
            if !dns01 {
                return Err(DomainError::WildcardNeedsDns01 {
                    domain: self.main.clone(),
                });
            }
        }
        if let Some(san) = self.sans.iter().find(|s| s.contains('*')) {
            return Err(DomainError::WildcardSan {
                main: self.main.clone(),
                san: san.clone(),
            });
        }
        let names = self.names();
        for name in &names {
            let bare = name.strip_prefix("*.").unwrap_or(name);
            let valid = !bare.is_empty()
                && bare.len() <= 253
                && bare.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                });
            if !valid {
                return Err(DomainError::Invalid {
                    domain: name.clone(),
                });
            }
        }
        Ok(names)
    }
}

impl fmt::Display for CertDomains {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(main: &str, sans: &[&str]) -> TlsDomain {
        TlsDomain {
            main: main.into(),
            sans: sans.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn rule_hosts_make_one_certificate() {
        let out = domains_for_router(&[], &["B.example.com".into(), "c.example.com.".into()]);
        assert_eq!(out, [CertDomains::new("b.example.com", ["c.example.com"])]);
        assert!(domains_for_router(&[], &[]).is_empty());
    }

    #[test]
    fn tls_domains_win_over_the_rule_and_are_deduplicated() {
        let out = domains_for_router(
            &[
                d("*.example.com", &[]),
                d("a.example.com", &[]),
                d("a.b.example.com", &[]),
                d("*.example.com", &[]),
                d("other.org", &["www.other.org"]),
            ],
            &["rule.example.com".into()],
        );
        assert_eq!(
            out,
            [
                CertDomains::new("*.example.com", Vec::<String>::new()),
                CertDomains::new("a.b.example.com", Vec::<String>::new()),
                CertDomains::new("other.org", ["www.other.org"]),
            ]
        );
    }

    #[test]
    fn check_refuses_what_acme_cannot_issue() {
        let wc = CertDomains::new("*.example.com", ["example.com"]);
        assert_eq!(
            wc.check(false),
            Err(DomainError::WildcardNeedsDns01 {
                domain: "*.example.com".into()
            })
        );
        assert_eq!(wc.check(true).unwrap(), ["*.example.com", "example.com"]);
        assert!(matches!(
            CertDomains::new("*.*.example.com", Vec::<String>::new()).check(true),
            Err(DomainError::DoubleWildcard { .. })
        ));
        assert!(matches!(
            CertDomains::new("example.com", ["*.example.com"]).check(true),
            Err(DomainError::WildcardSan { .. })
        ));
        assert!(matches!(
            CertDomains::new("exa mple.com", Vec::<String>::new()).check(true),
            Err(DomainError::Invalid { .. })
        ));
        assert_eq!(
            CertDomains::new("", Vec::<String>::new()).check(true),
            Err(DomainError::Empty)
        );
        let msg = wc.check(false).unwrap_err().to_string();
        assert!(
            msg.contains("*.example.com") && msg.contains("DNS-01"),
            "{msg}"
        );
    }
}
