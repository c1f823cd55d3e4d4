//! `ipAllowList`: validated options, and the client-IP strategy shared with
//! `rateLimit` and `inFlightReq`.

use ipnet::IpNet;

/// The validated options of an `ipAllowList` middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpAllowListSpec {
    /// `sourceRange`: allowed networks (single IPs as `/32` or `/128`); never empty.
    pub source_range: Vec<IpNet>,
    /// `ipStrategy`: how the client IP is found.
    pub ip_strategy: IpStrategySpec,
    /// `rejectStatusCode` (default 403).
    pub reject_status_code: u16,
}

/// How the client IP is found (`ipStrategy`); the default is the peer address.
///
/// Traefik's precedence: a `depth` above 0 wins over `excludedIPs`; with neither,
/// the peer address is used. `ipv6Subnet` applies to the peer and depth strategies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpStrategySpec {
    /// `depth`: the n-th `X-Forwarded-For` entry from the right (0: not used).
    pub depth: u32,
    /// `excludedIPs`: `X-Forwarded-For` entries skipped from the right.
    pub excluded_ips: Vec<IpNet>,
    /// `ipv6Subnet`: IPv6 clients grouped by this prefix length (1 to 128).
    pub ipv6_subnet: Option<u8>,
}
