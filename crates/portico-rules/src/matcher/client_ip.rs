//! `ClientIP`: the peer address against IPs and CIDRs, with Go's `net` semantics.
//!
//! Traefik's `ip.Checker` compares 16-byte forms (so `127.0.0.1` equals
//! `::ffff:127.0.0.1`) and uses `net.IPNet.Contains`, which reads a v4-mapped network as an
//! IPv4 network and never matches an IPv4 client against a plain IPv6 network.

use std::net::IpAddr;

/// The parsed list of a `ClientIP` matcher.
#[derive(Clone, Debug)]
pub(crate) struct IpChecker {
    ips: Vec<[u8; 16]>,
    nets: Vec<Net>,
}

/// Go's network number and mask after `networkNumberAndMask` (both 4 or 16 bytes).
#[derive(Clone, Debug)]
struct Net {
    ip: Vec<u8>,
    mask: Vec<u8>,
}

// === impl IpChecker ===

impl IpChecker {
    /// Parses each value as an IP, else as a CIDR; the error names the bad value.
    pub(crate) fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut checker = Self {
            ips: Vec::new(),
            nets: Vec::new(),
        };
        for value in values {
            if let Ok(ip) = value.parse::<IpAddr>() {
                checker.ips.push(to16(ip));
                continue;
            }
            let net = parse_cidr(value)
                .ok_or_else(|| format!("invalid IP address or CIDR `{value}` in ClientIP"))?;
            checker.nets.push(net);
        }
        Ok(checker)
    }

    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let ip16 = to16(ip);
        if self.ips.contains(&ip16) {
            return true;
        }
        let ip = to4(&ip16).unwrap_or(&ip16);
        self.nets.iter().any(|net| {
            net.ip.len() == ip.len()
                && net
                    .ip
                    .iter()
                    .zip(&net.mask)
                    .zip(ip)
                    .all(|((n, m), i)| n & m == i & m)
        })
    }
}

fn to16(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// Go's `IP.To4` on a 16-byte address.
fn to4(ip: &[u8; 16]) -> Option<&[u8]> {
    (ip[..10].iter().all(|b| *b == 0) && ip[10] == 0xff && ip[11] == 0xff).then(|| &ip[12..])
}

/// Go's `net.ParseCIDR` followed by `networkNumberAndMask`.
fn parse_cidr(s: &str) -> Option<Net> {
    let (addr, bits) = s.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let bit_len = if addr.is_ipv4() { 32 } else { 128 };
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) || bits.len() > 8 {
        return None;
    }
    let ones: usize = bits.parse().ok()?;
    if ones > bit_len {
        return None;
    }
    let mut mask = vec![0u8; bit_len / 8];
    for (i, byte) in mask.iter_mut().enumerate() {
        let set = ones.saturating_sub(i * 8).min(8);
        *byte = if set == 0 { 0 } else { 0xffu8 << (8 - set) };
    }
    // IP(addr16).Mask(m): a 4-byte mask applies to the v4 part of the 16-byte form.
    let addr16 = to16(addr);
    let ip: Vec<u8> = if mask.len() == 4 {
        addr16[12..].iter().zip(&mask).map(|(a, m)| a & m).collect()
    } else {
        addr16.iter().zip(&mask).map(|(a, m)| a & m).collect()
    };
    // networkNumberAndMask: a v4-mapped network number is read as IPv4.
    let ip16: [u8; 16] = if ip.len() == 16 {
        ip.as_slice().try_into().ok()?
    } else {
        [0; 16]
    };
    match to4(&ip16) {
        Some(v4) if ip.len() == 16 => Some(Net {
            ip: v4.to_vec(),
            mask: mask[12..].to_vec(),
        }),
        _ => Some(Net { ip, mask }),
    }
}

#[cfg(test)]
mod tests {
    use super::IpChecker;

    fn check(rule: &[&str], ip: &str) -> bool {
        IpChecker::new(rule.iter().copied())
            .unwrap()
            .contains(ip.parse().unwrap())
    }

    #[test]
    fn single_ips_compare_as_16_bytes() {
        assert!(check(&["127.0.0.1"], "127.0.0.1"));
        assert!(check(&["127.0.0.1"], "::ffff:127.0.0.1"));
        assert!(check(&["::ffff:127.0.0.1"], "127.0.0.1"));
        assert!(!check(&["127.0.0.1"], "127.0.0.2"));
        assert!(check(&["::1"], "::1"));
        assert!(!check(&["::1"], "127.0.0.1"));
    }

    #[test]
    fn cidrs_with_go_semantics() {
        assert!(check(&["1.2.3.4/24"], "1.2.3.255"), "host bits are allowed");
        assert!(!check(&["1.2.3.4/24"], "1.2.4.1"));
        assert!(check(&["1.2.3.0/24"], "::ffff:1.2.3.9"));
        assert!(check(&["fe80::/10"], "febf::1"));
        assert!(!check(&["fe80::/10"], "fec0::1"));
        assert!(
            !check(&["::/0"], "1.2.3.4"),
            "a v6 network never holds a v4 client"
        );
        assert!(check(&["::/0"], "2001:db8::1"));
        assert!(
            check(&["::ffff:1.2.3.0/120"], "1.2.3.7"),
            "v4-mapped network"
        );
        assert!(check(&["::ffff:0:0/96"], "8.8.8.8"));
        assert!(check(&["0.0.0.0/0"], "8.8.8.8"));
        assert!(check(&["10.0.0.0/8", "192.168.0.0/16"], "192.168.7.7"));
        assert!(
            check(&["1.2.3.4/024"], "1.2.3.9"),
            "Go's dtoi accepts leading zeros"
        );
    }

    #[test]
    fn invalid_values() {
        for bad in [
            "1",
            "",
            "1.2.3.4/33",
            "::/129",
            "1.2.3.4/",
            "1.2.3.4/a",
            "fe80::1%eth0",
            "01.2.3.4",
            "1.2.3.4/-1",
            "1.2.3.4/+8",
            "1.2.3.4 ",
        ] {
            let err = IpChecker::new([bad]).unwrap_err();
            assert!(err.contains(&format!("`{bad}`")), "{bad}: {err}");
        }
    }
}
