//! The resource table: which kinds are served, under which plural, and
//! whether they live in a namespace.

use std::fmt;

/// One served resource: a kind at one group and version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ResourceType {
    pub(super) group: String,
    pub(super) version: String,
    pub(super) kind: String,
    pub(super) plural: String,
    pub(super) namespaced: bool,
}

/// `(kind, plural, namespaced)`.
type Kinds = &'static [(&'static str, &'static str, bool)];

/// Traefik's kinds, served in its current group and the one it used before v3.
const TRAEFIK: Kinds = &[
    ("IngressRoute", "ingressroutes", true),
    ("IngressRouteTCP", "ingressroutetcps", true),
    ("IngressRouteUDP", "ingressrouteudps", true),
    ("Middleware", "middlewares", true),
    ("MiddlewareTCP", "middlewaretcps", true),
    ("TLSOption", "tlsoptions", true),
    ("TLSStore", "tlsstores", true),
    ("TraefikService", "traefikservices", true),
    ("ServersTransport", "serverstransports", true),
    ("ServersTransportTCP", "serverstransporttcps", true),
];

/// Every kind served from the start, by `apiVersion`.
const BUILTIN: &[(&str, Kinds)] = &[
    ("traefik.io/v1alpha1", TRAEFIK),
    ("traefik.containo.us/v1alpha1", TRAEFIK),
    (
        "v1",
        &[
            ("Service", "services", true),
            ("Endpoints", "endpoints", true),
            ("Secret", "secrets", true),
            ("ConfigMap", "configmaps", true),
            ("Namespace", "namespaces", false),
            ("Pod", "pods", true),
            ("ServiceAccount", "serviceaccounts", true),
            ("Node", "nodes", false),
        ],
    ),
    (
        "discovery.k8s.io/v1",
        &[("EndpointSlice", "endpointslices", true)],
    ),
    (
        "networking.k8s.io/v1",
        &[
            ("Ingress", "ingresses", true),
            ("IngressClass", "ingressclasses", false),
        ],
    ),
    (
        "apps/v1",
        &[
            ("Deployment", "deployments", true),
            ("DaemonSet", "daemonsets", true),
        ],
    ),
    (
        "rbac.authorization.k8s.io/v1",
        &[
            ("ClusterRole", "clusterroles", false),
            ("ClusterRoleBinding", "clusterrolebindings", false),
            ("Role", "roles", true),
            ("RoleBinding", "rolebindings", true),
        ],
    ),
    (
        "apiextensions.k8s.io/v1",
        &[(
            "CustomResourceDefinition",
            "customresourcedefinitions",
            false,
        )],
    ),
    (
        "gateway.networking.k8s.io/v1",
        &[
            ("GatewayClass", "gatewayclasses", false),
            ("Gateway", "gateways", true),
            ("HTTPRoute", "httproutes", true),
            ("GRPCRoute", "grpcroutes", true),
        ],
    ),
    (
        "gateway.networking.k8s.io/v1alpha2",
        &[
            ("TCPRoute", "tcproutes", true),
            ("TLSRoute", "tlsroutes", true),
            ("UDPRoute", "udproutes", true),
        ],
    ),
    (
        "gateway.networking.k8s.io/v1beta1",
        &[("ReferenceGrant", "referencegrants", true)],
    ),
];

/// Every served resource; grows when an object of a new kind is applied or
/// a resource is registered.
#[derive(Clone, Debug)]
pub(super) struct Resources {
    types: Vec<ResourceType>,
}

// === impl ResourceType ===

impl ResourceType {
    pub(super) fn new(api_version: &str, kind: &str, plural: &str, namespaced: bool) -> Self {
        let (group, version) = split_api_version(api_version);
        ResourceType {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: kind.to_owned(),
            plural: plural.to_owned(),
            namespaced,
        }
    }

    /// `v1` for the core group, `group/version` otherwise.
    pub(super) fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            write!(f, "{}", self.plural)
        } else {
            write!(f, "{}.{}", self.plural, self.group)
        }
    }
}

// === impl Resources ===

impl Default for Resources {
    fn default() -> Self {
        let types = BUILTIN
            .iter()
            .flat_map(|(api_version, kinds)| {
                kinds.iter().map(|(kind, plural, namespaced)| {
                    ResourceType::new(api_version, kind, plural, *namespaced)
                })
            })
            .collect();
        Resources { types }
    }
}

impl Resources {
    /// Every served resource, in registration order.
    pub(super) fn all(&self) -> &[ResourceType] {
        &self.types
    }

    /// The resource served at `/…/{group}/{version}/{plural}`.
    pub(super) fn by_plural(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    /// The resource of objects with this `apiVersion` and `kind`, registering
    /// it when it is new: a kind known at another version keeps its plural
    /// and scope, an unknown kind is namespaced with a derived plural.
    pub(super) fn by_kind_or_register(&mut self, api_version: &str, kind: &str) -> ResourceType {
        let (group, version) = split_api_version(api_version);
        if let Some(found) = self
            .types
            .iter()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
        {
            return found.clone();
        }
        let new = match self
            .types
            .iter()
            .find(|t| t.group == group && t.kind == kind)
        {
            Some(other_version) => ResourceType {
                version: version.to_owned(),
                ..other_version.clone()
            },
            None => ResourceType::new(api_version, kind, &derive_plural(kind), true),
        };
        self.types.push(new.clone());
        new
    }

    /// Adds (or replaces) the resource with `new`'s group, version and kind.
    pub(super) fn register(&mut self, new: ResourceType) {
        self.types
            .retain(|t| !(t.group == new.group && t.version == new.version && t.kind == new.kind));
        self.types.push(new);
    }

    /// The kind named by `kind_or_plural` (a kind is returned as is, a known
    /// plural is mapped to its kind).
    pub(super) fn kind_name(&self, kind_or_plural: &str) -> String {
        self.types
            .iter()
            .find(|t| t.kind == kind_or_plural)
            .or_else(|| self.types.iter().find(|t| t.plural == kind_or_plural))
            .map_or_else(|| kind_or_plural.to_owned(), |t| t.kind.clone())
    }
}

/// `("", "v1")` for `v1`, `("apps", "v1")` for `apps/v1`.
pub(super) fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

/// The lower-case English plural Kubernetes derives for a kind.
pub(super) fn derive_plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.ends_with('s')
        || lower.ends_with('x')
        || lower.ends_with("ch")
        || lower.ends_with("sh")
    {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}
