//! The client IP, found the way Traefik's `ipStrategy` says, and what a "source"
//! is for rate and concurrency limits (`sourceCriterion`).
//!
//! One implementation shared by [`ip_allow_list`](crate::ip_allow_list),
//! [`rate_limit`](crate::rate_limit) and [`in_flight_req`](crate::in_flight_req):
//!
//! - [`IpStrategy::peer`] (no `ipStrategy`, or neither `depth` nor `excludedIPs`):
//!   the address of the connection, from [`portico_core::ConnectionInfo`];
//! - [`IpStrategy::depth`] (`depth`): the `depth`-th `X-Forwarded-For` entry
//!   counted from the right; no IP when the list is shorter. `excludedIPs` is
//!   ignored when `depth` is set;
//! - [`IpStrategy::excluding`] (`excludedIPs`): the right-most `X-Forwarded-For`
//!   entry that is not in the excluded networks; no IP when every entry is;
//! - [`IpStrategy::with_ipv6_subnet`] (`ipv6Subnet`, peer and depth strategies
//!   only, as in Traefik): an IPv6 client is replaced by the first address of its
//!   subnet, so a whole `/64` counts as one client.
//!
//! `X-Forwarded-For` is read as received: Portico's entrypoint has already removed
//! it when the peer is not trusted (`forwardedHeaders.trustedIPs`), so an untrusted
//! client cannot choose its IP through it, and the proxy appends the peer only when
//! forwarding. Several header lines count as one list, in order. An entry that is
//! not an IP address (`host:port` and `[v6]:port` are accepted) gives no IP, and
//! IPv4-mapped IPv6 addresses are compared as IPv4. Callers decide what "no IP"
//! means: the allow list rejects it, limits count every such request as one source.
//!
//! # Example
//!
//! ```
//! use portico_middleware::client_ip::IpStrategy;
//! use http::Request;
//!
//! let request = Request::builder()
//!     .header("x-forwarded-for", "203.0.113.9, 10.0.0.2, 10.0.0.1")
//!     .body(())
//!     .unwrap();
//! let two_hops = IpStrategy::depth(2);
//! assert_eq!(two_hops.client_ip(&request), Some("10.0.0.2".parse().unwrap()));
//!
//! let behind_lbs = IpStrategy::excluding(vec!["10.0.0.0/8".parse().unwrap()]);
//! assert_eq!(behind_lbs.client_ip(&request), Some("203.0.113.9".parse().unwrap()));
//! ```

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use http::{HeaderName, HeaderValue, Request, header};
use ipnet::IpNet;
use portico_core::ConnectionInfo;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// How the client IP is found (Traefik's `ipStrategy`); see the
/// [module docs](self). Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpStrategy {
    kind: Kind,
    ipv6_subnet: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Peer,
    Depth(usize),
    Excluding(Arc<[IpNet]>),
}

/// An `ipv6Subnet` outside `1..=128`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid IPv6 subnet {0}: expected a prefix length from 1 to 128")]
pub struct InvalidIpv6Subnet(pub u32);

/// What a "source" is for rate and concurrency limits (Traefik's
/// `sourceCriterion`). Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceCriterion {
    /// The client IP, found with this strategy (the rate limit's default, with
    /// [`IpStrategy::peer`]).
    Ip(IpStrategy),
    /// The value of this request header; requests without it share one source.
    RequestHeader(HeaderName),
    /// The requested host (`Host`, or the authority of an HTTP/2 request); the
    /// in-flight limit's default.
    RequestHost,
}

/// The source of one request, as a [`SourceCriterion`] found it: a map key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SourceKey {
    /// A client IP (`None`: no IP could be found).
    Ip(Option<IpAddr>),
    /// A header value or the host (`None`: absent).
    Value(Option<HeaderValue>),
}

// === impl IpStrategy ===

impl IpStrategy {
    /// The connection's peer address (Traefik's default).
    pub fn peer() -> IpStrategy {
        IpStrategy {
            kind: Kind::Peer,
            ipv6_subnet: None,
        }
    }

    /// The `depth`-th `X-Forwarded-For` entry from the right (`1` is the last);
    /// a depth of 0 means [`IpStrategy::peer`], as in Traefik.
    pub fn depth(depth: usize) -> IpStrategy {
        IpStrategy {
            kind: if depth == 0 {
                Kind::Peer
            } else {
                Kind::Depth(depth)
            },
            ipv6_subnet: None,
        }
    }

    /// The right-most `X-Forwarded-For` entry outside `excluded`; an empty list
    /// means [`IpStrategy::peer`], as in Traefik.
    pub fn excluding(excluded: Vec<IpNet>) -> IpStrategy {
        IpStrategy {
            kind: if excluded.is_empty() {
                Kind::Peer
            } else {
                Kind::Excluding(excluded.into())
            },
            ipv6_subnet: None,
        }
    }

    /// Groups IPv6 clients by their `/prefix` subnet (peer and depth strategies;
    /// ignored with excluded IPs, as in Traefik).
    pub fn with_ipv6_subnet(mut self, prefix: u32) -> Result<IpStrategy, InvalidIpv6Subnet> {
        match u8::try_from(prefix) {
            Ok(p @ 1..=128) => {
                self.ipv6_subnet = Some(p);
                Ok(self)
            }
            _ => Err(InvalidIpv6Subnet(prefix)),
        }
    }

    /// The client IP of `request`, or `None` when this strategy finds none.
    pub fn client_ip<B>(&self, request: &Request<B>) -> Option<IpAddr> {
        let ip = match &self.kind {
            Kind::Peer => request
                .extensions()
                .get::<ConnectionInfo>()
                .map(|c| c.peer.ip().to_canonical()),
            Kind::Depth(depth) => {
                let entries = forwarded_for(request);
                let index = entries.len().checked_sub(*depth)?;
                parse_entry(entries[index])
            }
            Kind::Excluding(excluded) => {
                let entries = forwarded_for(request);
                let entry = entries.iter().rev().find(|entry| {
                    !entry.is_empty()
                        && !parse_entry(entry)
                            .is_some_and(|ip| excluded.iter().any(|n| n.contains(&ip)))
                })?;
                // Excluded-IP strategies never group by subnet (Traefik).
                return parse_entry(entry);
            }
        }?;
        Some(match (ip, self.ipv6_subnet) {
            (IpAddr::V6(v6), Some(prefix)) => IpAddr::V6(mask_v6(v6, prefix)),
            (ip, _) => ip,
        })
    }
}

impl Default for IpStrategy {
    fn default() -> IpStrategy {
        IpStrategy::peer()
    }
}

/// Every `X-Forwarded-For` entry, all header lines in order, trimmed.
fn forwarded_for<B>(request: &Request<B>) -> Vec<&str> {
    request
        .headers()
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .collect()
}

/// An address, a `host:port` or `[v6]:port` pair; IPv4-mapped IPv6 as IPv4.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let ip = entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()?;
    Some(ip.to_canonical())
}

fn mask_v6(ip: Ipv6Addr, prefix: u8) -> Ipv6Addr {
    let bits = u128::from(ip);
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    Ipv6Addr::from(bits & mask)
}

// === impl SourceCriterion ===

impl SourceCriterion {
    /// The source of `request`.
    pub fn source<B>(&self, request: &Request<B>) -> SourceKey {
        match self {
            SourceCriterion::Ip(strategy) => SourceKey::Ip(strategy.client_ip(request)),
            SourceCriterion::RequestHeader(name) => {
                SourceKey::Value(request.headers().get(name).cloned())
            }
            SourceCriterion::RequestHost => {
                SourceKey::Value(request.headers().get(header::HOST).cloned().or_else(|| {
                    let authority = request.uri().authority()?;
                    HeaderValue::from_str(authority.as_str()).ok()
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests;
