//! `ipAllowList` validation, and the `ipStrategy` checks shared with `rateLimit`
//! and `inFlightReq`.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::{
    model::middleware::ip_allow_list::{IpAllowListSpec, IpStrategySpec},
    raw::routing::{IpAllowList, IpStrategy},
};

pub(super) fn validate(
    path: &str,
    raw: Option<&IpAllowList>,
    _provider: &str,
) -> Result<IpAllowListSpec, Vec<String>> {
    let default = IpAllowList::default();
    let raw = raw.unwrap_or(&default);
    let mut errors = Vec::new();
    let items = raw.source_range.as_deref().unwrap_or_default();
    if items.is_empty() {
        errors.push(format!(
            "{path}.sourceRange: at least one IP or CIDR is required"
        ));
    }
    let source_range = networks(&format!("{path}.sourceRange"), items, &mut errors);
    let ip_strategy = ip_strategy(
        &format!("{path}.ipStrategy"),
        raw.ip_strategy.as_ref(),
        &mut errors,
    );
    let reject_status_code = match raw.reject_status_code {
        None | Some(0) => 403,
        Some(code) => match u16::try_from(code)
            .ok()
            .and_then(|c| http::StatusCode::from_u16(c).ok())
            .filter(|s| s.canonical_reason().is_some())
        {
            Some(status) => status.as_u16(),
            None => {
                errors.push(format!(
                    "{path}.rejectStatusCode: invalid HTTP status code {code}"
                ));
                403
            }
        },
    };
    if errors.is_empty() {
        Ok(IpAllowListSpec {
            source_range,
            ip_strategy,
            reject_status_code,
        })
    } else {
        Err(errors)
    }
}

/// IPs and CIDRs (`10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`), host bits cleared.
pub(super) fn networks(path: &str, items: &[String], errors: &mut Vec<String>) -> Vec<IpNet> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let text = item.trim();
        let parsed = text
            .parse::<IpNet>()
            .map(|n| n.trunc())
            .or_else(|_| text.parse::<IpAddr>().map(IpNet::from));
        match parsed {
            Ok(net) => out.push(net),
            Err(_) => errors.push(format!("{path}[{i}]: invalid IP or CIDR {item:?}")),
        }
    }
    out
}

/// `ipStrategy`: `depth` (not negative), `excludedIPs` (networks), `ipv6Subnet`
/// (1 to 128 when the strategy uses it, as Traefik checks it).
pub(super) fn ip_strategy(
    path: &str,
    raw: Option<&IpStrategy>,
    errors: &mut Vec<String>,
) -> IpStrategySpec {
    let Some(raw) = raw else {
        return IpStrategySpec::default();
    };
    let depth = match raw.depth.unwrap_or(0) {
        d if d < 0 => {
            errors.push(format!("{path}.depth: must not be negative, found {d}"));
            0
        }
        d => u32::try_from(d).unwrap_or(u32::MAX),
    };
    let excluded_ips = networks(
        &format!("{path}.excludedIPs"),
        raw.excluded_ips.as_deref().unwrap_or_default(),
        errors,
    );
    let subnet_used = depth > 0 || excluded_ips.is_empty();
    let ipv6_subnet = match raw.ipv6_subnet {
        None => None,
        Some(prefix @ 1..=128) => u8::try_from(prefix).ok(),
        Some(prefix) if subnet_used => {
            errors.push(format!(
                "{path}.ipv6Subnet: invalid IPv6 subnet {prefix}, expected 1 to 128"
            ));
            None
        }
        // Ignored by the excluded-IPs strategy, as in Traefik.
        Some(_) => None,
    };
    IpStrategySpec {
        depth,
        excluded_ips,
        ipv6_subnet,
    }
}

/// Validates `http.middlewares.m` given as YAML (indented under `m:`), for the
/// part-B middleware tests.
#[cfg(test)]
pub(super) fn check(yaml: &str) -> Result<crate::model::middleware::MiddlewareSpec, Vec<String>> {
    let indented: String = yaml.lines().map(|l| format!("      {l}\n")).collect();
    let text = format!("http:\n  middlewares:\n    m:\n{indented}");
    let raw = crate::parse_routing(&text, crate::Format::Yaml, "test.yaml")
        .map_err(|e| vec![e.to_string()])?;
    let model = crate::validate::routing("file", &raw, &Default::default());
    model
        .middlewares
        .get(&crate::model::QualifiedName::new("m", "file"))
        .cloned()
        .unwrap_or_else(|| Err(vec!["middleware missing".to_owned()]))
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::model::middleware::{
        MiddlewareSpec,
        ip_allow_list::{IpAllowListSpec, IpStrategySpec},
    };

    #[test]
    fn defaults_and_full_form() {
        let spec = check(
            "ipAllowList:\n  sourceRange: [\"10.0.0.1/8\", \"192.0.2.7\", \"2001:db8::/32\"]",
        );
        assert_eq!(
            spec,
            Ok(MiddlewareSpec::IpAllowList(IpAllowListSpec {
                source_range: vec![
                    "10.0.0.0/8".parse().unwrap(),
                    "192.0.2.7/32".parse().unwrap(),
                    "2001:db8::/32".parse().unwrap()
                ],
                ip_strategy: IpStrategySpec::default(),
                reject_status_code: 403,
            }))
        );
        let spec = check(
            "ipAllowList:\n  sourceRange: [10.0.0.0/8]\n  rejectStatusCode: 404\n  ipStrategy:\n    depth: 2\n    excludedIPs: [172.16.0.0/12]\n    ipv6Subnet: 64",
        );
        let Ok(MiddlewareSpec::IpAllowList(spec)) = spec else {
            panic!("{spec:?}");
        };
        assert_eq!(spec.reject_status_code, 404);
        assert_eq!(spec.ip_strategy.depth, 2);
        assert_eq!(
            spec.ip_strategy.excluded_ips,
            vec!["172.16.0.0/12".parse().unwrap()]
        );
        assert_eq!(spec.ip_strategy.ipv6_subnet, Some(64));
    }

    #[test]
    fn errors_name_their_option() {
        let errors = check(
            "ipAllowList:\n  sourceRange: [nope]\n  rejectStatusCode: 1000\n  ipStrategy:\n    depth: -1\n    ipv6Subnet: 129",
        )
        .unwrap_err();
        let joined = errors.join("\n");
        for expected in [
            "http.middlewares.m.ipAllowList.sourceRange[0]: invalid IP or CIDR \"nope\"",
            "http.middlewares.m.ipAllowList.rejectStatusCode: invalid HTTP status code 1000",
            "http.middlewares.m.ipAllowList.ipStrategy.depth: must not be negative",
            "http.middlewares.m.ipAllowList.ipStrategy.ipv6Subnet: invalid IPv6 subnet 129",
        ] {
            assert!(joined.contains(expected), "{joined}");
        }
        let empty = check("ipAllowList:\n  sourceRange: []").unwrap_err();
        assert!(empty[0].contains("sourceRange: at least one IP or CIDR is required"));
        // An IPv6 subnet ignored by the excluded-IPs strategy is not checked (Traefik).
        assert!(check("ipAllowList:\n  sourceRange: [10.0.0.0/8]\n  ipStrategy:\n    excludedIPs: [10.0.0.1]\n    ipv6Subnet: 0").is_ok());
    }
}
