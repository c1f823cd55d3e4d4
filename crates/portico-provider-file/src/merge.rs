//! Merging several files' configurations: first definition wins.

use std::collections::BTreeMap;

use portico_config::raw::RoutingConfig;

/// Merges `from` (read from `source`) into `into`; names already defined are kept
/// and each skipped duplicate is returned as a warning line.
///
/// # Example
///
/// ```
/// use portico_config::{Format, parse_routing};
///
/// let a = parse_routing("http:\n  services:\n    s: {loadBalancer: {servers: []}}\n", Format::Yaml, "a").unwrap();
/// let b = parse_routing("http:\n  services:\n    s: {loadBalancer: {servers: []}}\n    t: {loadBalancer: {servers: []}}\n", Format::Yaml, "b").unwrap();
/// let mut merged = a;
/// let warnings = portico_provider_file::merge_into(&mut merged, b, "b.yaml");
/// assert_eq!(warnings, ["b.yaml: http.services.s is already defined; skipped"]);
/// assert_eq!(merged.http.unwrap().services.unwrap().len(), 2);
/// ```
pub fn merge_into(into: &mut RoutingConfig, from: RoutingConfig, source: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut w = |section: &str, name: &str| {
        warnings.push(format!(
            "{source}: {section}.{name} is already defined; skipped"
        ));
    };
    if let Some(http) = from.http {
        let dst = into.http.get_or_insert_with(Default::default);
        map(&mut dst.routers, http.routers, "http.routers", &mut w);
        map(&mut dst.services, http.services, "http.services", &mut w);
        map(
            &mut dst.middlewares,
            http.middlewares,
            "http.middlewares",
            &mut w,
        );
        map(
            &mut dst.servers_transports,
            http.servers_transports,
            "http.serversTransports",
            &mut w,
        );
    }
    if let Some(tcp) = from.tcp {
        let dst = into.tcp.get_or_insert_with(Default::default);
        map(&mut dst.routers, tcp.routers, "tcp.routers", &mut w);
        map(&mut dst.services, tcp.services, "tcp.services", &mut w);
        map(
            &mut dst.middlewares,
            tcp.middlewares,
            "tcp.middlewares",
            &mut w,
        );
        map(
            &mut dst.servers_transports,
            tcp.servers_transports,
            "tcp.serversTransports",
            &mut w,
        );
    }
    if let Some(udp) = from.udp {
        let dst = into.udp.get_or_insert_with(Default::default);
        map(&mut dst.routers, udp.routers, "udp.routers", &mut w);
        map(&mut dst.services, udp.services, "udp.services", &mut w);
    }
    if let Some(tls) = from.tls {
        let dst = into.tls.get_or_insert_with(Default::default);
        if let Some(certs) = tls.certificates {
            dst.certificates.get_or_insert_with(Vec::new).extend(certs);
        }
        map(&mut dst.options, tls.options, "tls.options", &mut w);
        map(&mut dst.stores, tls.stores, "tls.stores", &mut w);
    }
    warnings
}

fn map<T>(
    into: &mut Option<BTreeMap<String, T>>,
    from: Option<BTreeMap<String, T>>,
    section: &str,
    warn: &mut impl FnMut(&str, &str),
) {
    let Some(from) = from else { return };
    let into = into.get_or_insert_with(BTreeMap::new);
    for (name, value) in from {
        match into.entry(name) {
            std::collections::btree_map::Entry::Occupied(entry) => warn(section, entry.key()),
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(value);
            }
        }
    }
}
