//! Entrypoint listen addresses (`[host]:port[/tcp]`).

use std::{
    fmt,
    net::{IpAddr, SocketAddr},
};

/// Where an entrypoint listens, parsed from Traefik's `address`.
///
/// # Example
///
/// ```
/// use portico_config::model::ListenAddress;
///
/// assert_eq!(ListenAddress::parse(":80").unwrap(), ListenAddress::AllInterfaces { port: 80 });
/// assert_eq!(
///     ListenAddress::parse("[::1]:8443/tcp").unwrap(),
///     ListenAddress::Ip("[::1]:8443".parse().unwrap())
/// );
/// assert!(ListenAddress::parse("10.0.0.1").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ListenAddress {
    /// `:port`: every interface, IPv4 and IPv6.
    AllInterfaces {
        /// The port (0 lets the kernel pick one).
        port: u16,
    },
    /// An IP literal and port.
    Ip(SocketAddr),
    /// A host name, resolved when the entrypoint binds.
    Host {
        /// The name as written.
        host: String,
        /// The port.
        port: u16,
    },
}

/// An `address` that cannot be listened on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid address {address:?}: {reason}")]
pub struct AddressError {
    /// The address as written.
    pub address: String,
    /// Why, lower case.
    pub reason: &'static str,
}

// === impl ListenAddress ===

impl ListenAddress {
    /// Parses `[host]:port` with an optional, case-insensitive `/tcp` suffix.
    /// `/udp` is refused: Portico has no UDP routing.
    pub fn parse(address: &str) -> Result<ListenAddress, AddressError> {
        let err = |reason| AddressError {
            address: address.to_owned(),
            reason,
        };
        let trimmed = address.trim();
        let hostport = match trimmed.rsplit_once('/') {
            Some((hp, proto)) if proto.eq_ignore_ascii_case("tcp") => hp,
            Some((_, proto)) if proto.eq_ignore_ascii_case("udp") => {
                return Err(err("udp entrypoints are not supported"));
            }
            Some(_) => return Err(err("unknown protocol suffix (expected /tcp)")),
            None => trimmed,
        };
        let (host, port) = hostport
            .rsplit_once(':')
            .ok_or_else(|| err("missing port (expected [host]:port)"))?;
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("port is not a number"));
        }
        let port: u16 = port.parse().map_err(|_| err("port out of range"))?;
        if host.is_empty() {
            return Ok(ListenAddress::AllInterfaces { port });
        }
        if let Some(inner) = host.strip_prefix('[') {
            let ip = inner
                .strip_suffix(']')
                .ok_or_else(|| err("unclosed '[' in host"))?;
            let ip: IpAddr = ip.parse().map_err(|_| err("invalid IPv6 address"))?;
            return Ok(ListenAddress::Ip(SocketAddr::new(ip, port)));
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            if ip.is_ipv6() {
                return Err(err("IPv6 addresses must be in brackets"));
            }
            return Ok(ListenAddress::Ip(SocketAddr::new(ip, port)));
        }
        let valid_name = host
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        if !valid_name {
            return Err(err("invalid host"));
        }
        Ok(ListenAddress::Host {
            host: host.to_owned(),
            port,
        })
    }

    /// The configured port.
    pub fn port(&self) -> u16 {
        match self {
            ListenAddress::AllInterfaces { port } | ListenAddress::Host { port, .. } => *port,
            ListenAddress::Ip(addr) => addr.port(),
        }
    }
}

impl fmt::Display for ListenAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenAddress::AllInterfaces { port } => write!(f, ":{port}"),
            ListenAddress::Ip(addr) => write!(f, "{addr}"),
            ListenAddress::Host { host, port } => write!(f, "{host}:{port}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traefik_address_forms() {
        let ok = [
            (":80", ListenAddress::AllInterfaces { port: 80 }),
            (":0", ListenAddress::AllInterfaces { port: 0 }),
            (
                "0.0.0.0:80",
                ListenAddress::Ip("0.0.0.0:80".parse().unwrap()),
            ),
            (
                "192.168.1.100:8080",
                ListenAddress::Ip("192.168.1.100:8080".parse().unwrap()),
            ),
            (
                "[::1]:8080",
                ListenAddress::Ip("[::1]:8080".parse().unwrap()),
            ),
            (":443/tcp", ListenAddress::AllInterfaces { port: 443 }),
            (":443/TCP", ListenAddress::AllInterfaces { port: 443 }),
            (
                "localhost:81",
                ListenAddress::Host {
                    host: "localhost".into(),
                    port: 81,
                },
            ),
        ];
        for (text, want) in ok {
            assert_eq!(ListenAddress::parse(text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn bad_addresses_say_why() {
        let bad = [
            ("", "missing port"),
            ("80", "missing port"),
            (":http", "not a number"),
            (":70000", "out of range"),
            (":-1", "not a number"),
            (":53/udp", "udp"),
            (":53/sctp", "suffix"),
            ("::1:80", "brackets"),
            ("[::1:80", "unclosed"),
            ("[zz]:80", "IPv6"),
            ("bad host:80", "invalid host"),
            ("foobar", "missing port"),
        ];
        for (text, reason) in bad {
            let e = ListenAddress::parse(text).unwrap_err();
            assert!(e.reason.contains(reason), "{text}: {e}");
            assert!(e.to_string().contains(&format!("{text:?}")));
        }
    }
}
