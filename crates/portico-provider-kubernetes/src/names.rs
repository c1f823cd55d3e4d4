//! Traefik's names for what the Kubernetes providers produce
//! (`pkg/provider/configuration.go Normalize`, `crd/kubernetes.go makeID,
//! makeServiceKey`), so references written for Traefik keep working.

use sha2::{Digest, Sha256};

/// Runs of characters other than letters and digits become one `-`; leading and
/// trailing ones are dropped.
///
/// # Example
///
/// ```
/// assert_eq!(portico_provider_kubernetes::names::normalize("default-my.app:80"), "default-my-app-80");
/// ```
pub fn normalize(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// `namespace-name`, or `name` when the namespace is empty.
///
/// # Example
///
/// ```
/// assert_eq!(portico_provider_kubernetes::names::make_id("shop", "web"), "shop-web");
/// ```
pub fn make_id(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}-{name}")
    }
}

/// The router (and implicit service) name of one IngressRoute route:
/// `normalize(namespace-ingressroute-<first 10 bytes of sha256(match) in hex>)`.
///
/// # Example
///
/// ```
/// let name = portico_provider_kubernetes::names::route_key("default", "my-app", "Host(`a`)");
/// assert!(name.starts_with("default-my-app-"));
/// assert_eq!(name.len(), "default-my-app-".len() + 20);
/// ```
pub fn route_key(namespace: &str, ingress_route: &str, rule: &str) -> String {
    let digest = Sha256::digest(rule.as_bytes());
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    normalize(&make_id(namespace, &format!("{ingress_route}-{hex}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_collapses_and_trims() {
        assert_eq!(normalize("--a..b__c--"), "a-b-c");
        assert_eq!(normalize("ns-name@kubernetescrd"), "ns-name-kubernetescrd");
        assert_eq!(normalize("été"), "été");
    }

    #[test]
    fn route_key_matches_traefiks_format() {
        // sha256("Host(`foo.com`)") starts with these ten bytes.
        let digest = Sha256::digest(b"Host(`foo.com`)");
        let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            route_key("default", "test.route", "Host(`foo.com`)"),
            format!("default-test-route-{hex}")
        );
    }
}
