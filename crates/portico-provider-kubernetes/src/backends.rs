//! Where a Kubernetes Service sends traffic, as Traefik resolves it
//! (`crd/kubernetes.go loadServers`): the ready addresses of its EndpointSlices,
//! its cluster IP (`nativeLB`), or its external name; and the certificates and
//! keys Secrets hold.

use std::{
    collections::{BTreeMap, BTreeSet},
    net::IpAddr,
};

use k8s_openapi::{
    api::{
        core::v1::{Secret, Service, ServicePort},
        discovery::v1::EndpointSlice,
    },
    apimachinery::pkg::util::intstr::IntOrString,
};

use crate::cluster::{Cluster, Kind};

/// The label tying an EndpointSlice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// How Services may be used (the providers' options).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackendOptions {
    /// `allowExternalNameServices`.
    pub allow_external_name: bool,
    /// `allowEmptyServices`: a Service without ready endpoints still gives a
    /// (serverless, 503-answering) load balancer.
    pub allow_empty: bool,
    /// `nativeLBByDefault`.
    pub native_lb_by_default: bool,
}

/// One use of a Service port.
#[derive(Clone, Copy, Debug)]
pub struct PortRef<'a> {
    /// The Service's namespace.
    pub namespace: &'a str,
    /// The Service's name.
    pub name: &'a str,
    /// The port, by number or name.
    pub port: &'a IntOrString,
    /// `http`, `https` or `h2c`; inferred when `None`.
    pub scheme: Option<&'a str>,
    /// Per-use `nativeLB`, overriding the default.
    pub native_lb: Option<bool>,
}

/// The cluster's Services, EndpointSlices and Secrets, indexed once per
/// translation.
///
/// # Example
///
/// ```
/// use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
/// use portico_provider_kubernetes::{backends::{BackendOptions, Backends, PortRef}, cluster::Cluster};
///
/// let mut cluster = Cluster::default();
/// cluster.apply_value(serde_json::json!({"apiVersion": "v1", "kind": "Service",
///     "metadata": {"name": "db", "namespace": "x"},
///     "spec": {"type": "ExternalName", "externalName": "db.example.com", "ports": [{"port": 443}]}})).unwrap();
/// let backends = Backends::new(&cluster, BackendOptions { allow_external_name: true, ..Default::default() });
/// let port = IntOrString::Int(443);
/// let urls = backends.servers(&PortRef { namespace: "x", name: "db", port: &port, scheme: None, native_lb: None }).unwrap();
/// assert_eq!(urls, ["https://db.example.com:443"]);
/// ```
#[derive(Debug)]
pub struct Backends<'a> {
    cluster: &'a Cluster,
    options: BackendOptions,
    slices: BTreeMap<(String, String), Vec<EndpointSlice>>,
}

// === impl Backends ===

impl<'a> Backends<'a> {
    /// Indexes `cluster`'s EndpointSlices by Service.
    pub fn new(cluster: &'a Cluster, options: BackendOptions) -> Backends<'a> {
        let mut slices: BTreeMap<(String, String), Vec<EndpointSlice>> = BTreeMap::new();
        for typed in cluster.typed::<EndpointSlice>(Kind::EndpointSlice) {
            let Ok(slice) = typed.object else { continue };
            let service = slice
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SERVICE_NAME_LABEL))
                .cloned();
            if let Some(service) = service {
                slices
                    .entry((typed.key.namespace.clone(), service))
                    .or_default()
                    .push(slice);
            }
        }
        Backends {
            cluster,
            options,
            slices,
        }
    }

    /// The options in force.
    pub fn options(&self) -> BackendOptions {
        self.options
    }

    /// The Service `namespace/name`.
    pub fn service(&self, namespace: &str, name: &str) -> Result<Service, String> {
        match self.cluster.get::<Service>(Kind::Service, namespace, name) {
            None => Err(format!("kubernetes service not found: {namespace}/{name}")),
            Some(Err(e)) => Err(format!("service {namespace}/{name}: {e}")),
            Some(Ok(service)) => Ok(service),
        }
    }

    /// The server URLs of one Service port.
    pub fn servers(&self, r: &PortRef<'_>) -> Result<Vec<String>, String> {
        // Traefik accepts dotted names for Services and looks them up dashed.
        let name = r.name.replace('.', "-");
        let service = self.service(r.namespace, &name)?;
        let spec = service.spec.unwrap_or_default();
        let external = spec.type_.as_deref() == Some("ExternalName");
        if external && !self.options.allow_external_name {
            return Err(format!(
                "externalName services not allowed: {}/{name}",
                r.namespace
            ));
        }
        let port = service_port(spec.ports.as_deref().unwrap_or_default(), r.port, external)?;
        let scheme = scheme(
            r.scheme,
            port.name.as_deref().unwrap_or_default(),
            port.port,
        )?;
        if external {
            let host = spec.external_name.unwrap_or_default();
            return Ok(vec![url(scheme, &host, port.port)]);
        }
        if r.native_lb.unwrap_or(self.options.native_lb_by_default) {
            let ip = spec
                .cluster_ip
                .filter(|ip| !ip.is_empty() && ip != "None")
                .ok_or_else(|| format!("no clusterIP found for service: {}/{name}", r.namespace))?;
            return Ok(vec![url(scheme, &ip, port.port)]);
        }
        let servers = self.endpoints(r.namespace, &name, &port, scheme);
        if servers.is_empty() && !self.options.allow_empty {
            return Err(format!(
                "no ready endpoints for service {}/{name} port {}",
                r.namespace,
                port_text(r.port)
            ));
        }
        Ok(servers)
    }

    fn endpoints(
        &self,
        namespace: &str,
        name: &str,
        port: &ServicePort,
        scheme: &str,
    ) -> Vec<String> {
        let wanted = port.name.as_deref().unwrap_or_default();
        let mut seen = BTreeSet::new();
        let mut servers = Vec::new();
        let key = (namespace.to_owned(), name.to_owned());
        for slice in self.slices.get(&key).into_iter().flatten() {
            let target = slice
                .ports
                .iter()
                .flatten()
                .find(|p| p.name.as_deref().unwrap_or_default() == wanted)
                .and_then(|p| p.port);
            let Some(target) = target.filter(|p| *p > 0) else {
                continue;
            };
            for endpoint in slice.endpoints.iter().flatten() {
                let ready = endpoint.conditions.as_ref().and_then(|c| c.ready);
                if ready == Some(false) {
                    continue;
                }
                for address in &endpoint.addresses {
                    // Once per address and port: several slices may list a pod.
                    let server = url(scheme, address, target);
                    if seen.insert(server.clone()) {
                        servers.push(server);
                    }
                }
            }
        }
        servers
    }

    /// The data of Secret `namespace/name`, decoded (`data`, then `stringData`,
    /// which manifests may use).
    pub fn secret(&self, namespace: &str, name: &str) -> Result<BTreeMap<String, Vec<u8>>, String> {
        let secret = match self.cluster.get::<Secret>(Kind::Secret, namespace, name) {
            None => return Err(format!("secret {namespace}/{name} not found")),
            Some(Err(e)) => return Err(format!("secret {namespace}/{name}: {e}")),
            Some(Ok(secret)) => secret,
        };
        let mut data: BTreeMap<String, Vec<u8>> = secret
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect();
        for (k, v) in secret.string_data.unwrap_or_default() {
            data.insert(k, v.into_bytes());
        }
        Ok(data)
    }

    /// The PEM certificate and key of a TLS Secret (`tls.crt`, `tls.key`).
    pub fn tls_pair(&self, namespace: &str, name: &str) -> Result<(String, String), String> {
        let data = self.secret(namespace, name)?;
        let field = |key: &str| -> Result<String, String> {
            let value = data
                .get(key)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("secret {namespace}/{name} has no {key}"))?;
            String::from_utf8(value.clone())
                .map_err(|_| format!("secret {namespace}/{name}: {key} is not PEM text"))
        };
        Ok((field("tls.crt")?, field("tls.key")?))
    }

    /// The PEM CA certificates of a Secret (`tls.ca`, else `ca.crt`).
    pub fn ca(&self, namespace: &str, name: &str) -> Result<String, String> {
        let data = self.secret(namespace, name)?;
        let value = ["tls.ca", "ca.crt"]
            .iter()
            .find_map(|k| data.get(*k).filter(|v| !v.is_empty()))
            .ok_or_else(|| format!("secret {namespace}/{name} has no tls.ca or ca.crt"))?;
        String::from_utf8(value.clone())
            .map_err(|_| format!("secret {namespace}/{name}: CA is not PEM text"))
    }
}

/// The Service port a reference names (`getServicePort`).
fn service_port(
    ports: &[ServicePort],
    wanted: &IntOrString,
    external: bool,
) -> Result<ServicePort, String> {
    let unset = match wanted {
        IntOrString::Int(n) => *n == 0,
        IntOrString::String(s) => s.is_empty(),
    };
    if unset {
        return Err("service port not defined".into());
    }
    let found = ports.iter().find(|p| match wanted {
        IntOrString::Int(n) => p.port == *n,
        IntOrString::String(s) => p.name.as_deref() == Some(s.as_str()),
    });
    match (found, wanted) {
        (Some(p), _) => Ok(p.clone()),
        // An ExternalName service forwards any numbered port.
        (None, IntOrString::Int(n)) if external => Ok(ServicePort {
            port: *n,
            ..ServicePort::default()
        }),
        (None, _) => Err(format!("service port not found: {}", port_text(wanted))),
    }
}

/// A port as written: its number or its name.
pub(crate) fn port_text(port: &IntOrString) -> String {
    match port {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `http`, `https` or `h2c` (`parseServiceProtocol`): given, else `https` for
/// port 443 or a port named `https...`.
fn scheme<'s>(given: Option<&'s str>, port_name: &str, port: i32) -> Result<&'s str, String> {
    match given {
        Some(s @ ("http" | "https" | "h2c")) => Ok(s),
        Some("") | None if port == 443 || port_name.starts_with("https") => Ok("https"),
        Some("") | None => Ok("http"),
        Some(other) => Err(format!("invalid scheme {other:?} specified")),
    }
}

fn url(scheme: &str, host: &str, port: i32) -> String {
    if host.parse::<IpAddr>().is_ok_and(|ip| ip.is_ipv6()) {
        format!("{scheme}://[{host}]:{port}")
    } else {
        format!("{scheme}://{host}:{port}")
    }
}

#[cfg(test)]
mod tests;
