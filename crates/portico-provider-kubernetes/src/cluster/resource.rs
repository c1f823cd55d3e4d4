//! The object types Portico reads, and where the API server serves them.

use std::fmt;

/// What an object is, whatever API group it comes from.
///
/// # Example
///
/// ```
/// use portico_provider_kubernetes::cluster::{Kind, Resource};
///
/// let r = Resource::from_type("traefik.containo.us/v1alpha1", "IngressRoute").unwrap();
/// assert_eq!(r.kind, Kind::IngressRoute);
/// assert!(r.is_legacy());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `IngressRoute`.
    IngressRoute,
    /// `Middleware`.
    Middleware,
    /// `TLSOption`.
    TlsOption,
    /// `TLSStore`.
    TlsStore,
    /// `TraefikService`.
    TraefikService,
    /// `ServersTransport`.
    ServersTransport,
    /// `IngressRouteTCP` (read, reported as not routed: Portico has no TCP routing).
    IngressRouteTcp,
    /// `IngressRouteUDP` (read, reported as not routed).
    IngressRouteUdp,
    /// `MiddlewareTCP` (read, reported as not routed).
    MiddlewareTcp,
    /// `ServersTransportTCP` (read, reported as not routed).
    ServersTransportTcp,
    /// Core `Service`.
    Service,
    /// `discovery.k8s.io` `EndpointSlice`.
    EndpointSlice,
    /// Core `Secret`.
    Secret,
    /// `networking.k8s.io` `Ingress`.
    Ingress,
    /// `networking.k8s.io` `IngressClass` (cluster-scoped).
    IngressClass,
}

/// An API group and version Portico reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiGroup {
    /// `traefik.io/v1alpha1`.
    Traefik,
    /// `traefik.containo.us/v1alpha1`: dropped by Traefik v3, still read here.
    TraefikLegacy,
    /// Core `v1`.
    Core,
    /// `discovery.k8s.io/v1`.
    Discovery,
    /// `networking.k8s.io/v1`.
    Networking,
}

/// A kind in one API group: what one watcher lists and watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Resource {
    /// The kind.
    pub kind: Kind,
    /// The group it is served from.
    pub group: ApiGroup,
}

const TRAEFIK_KINDS: [Kind; 10] = [
    Kind::IngressRoute,
    Kind::Middleware,
    Kind::TlsOption,
    Kind::TlsStore,
    Kind::TraefikService,
    Kind::ServersTransport,
    Kind::IngressRouteTcp,
    Kind::IngressRouteUdp,
    Kind::MiddlewareTcp,
    Kind::ServersTransportTcp,
];

// === impl Kind ===

impl Kind {
    /// The kind's name in manifests (`IngressRoute`, `TLSOption`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::IngressRoute => "IngressRoute",
            Kind::Middleware => "Middleware",
            Kind::TlsOption => "TLSOption",
            Kind::TlsStore => "TLSStore",
            Kind::TraefikService => "TraefikService",
            Kind::ServersTransport => "ServersTransport",
            Kind::IngressRouteTcp => "IngressRouteTCP",
            Kind::IngressRouteUdp => "IngressRouteUDP",
            Kind::MiddlewareTcp => "MiddlewareTCP",
            Kind::ServersTransportTcp => "ServersTransportTCP",
            Kind::Service => "Service",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Secret => "Secret",
            Kind::Ingress => "Ingress",
            Kind::IngressClass => "IngressClass",
        }
    }

    /// The URL path segment (`ingressroutes`, `endpointslices`, ...).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Ingress => "ingresses",
            Kind::IngressClass => "ingressclasses",
            Kind::TlsOption => "tlsoptions",
            Kind::TlsStore => "tlsstores",
            Kind::IngressRouteTcp => "ingressroutetcps",
            Kind::IngressRouteUdp => "ingressrouteudps",
            Kind::MiddlewareTcp => "middlewaretcps",
            Kind::ServersTransportTcp => "serverstransporttcps",
            Kind::IngressRoute => "ingressroutes",
            Kind::Middleware => "middlewares",
            Kind::TraefikService => "traefikservices",
            Kind::ServersTransport => "serverstransports",
            Kind::Service => "services",
            Kind::EndpointSlice => "endpointslices",
            Kind::Secret => "secrets",
        }
    }

    /// Whether objects of this kind live in a namespace.
    pub fn namespaced(self) -> bool {
        self != Kind::IngressClass
    }

    /// Whether this is one of Traefik's own kinds.
    pub fn is_traefik(self) -> bool {
        TRAEFIK_KINDS.contains(&self)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// === impl ApiGroup ===

impl ApiGroup {
    /// The group name (`""` for core).
    pub fn group(self) -> &'static str {
        match self {
            ApiGroup::Traefik => "traefik.io",
            ApiGroup::TraefikLegacy => "traefik.containo.us",
            ApiGroup::Core => "",
            ApiGroup::Discovery => "discovery.k8s.io",
            ApiGroup::Networking => "networking.k8s.io",
        }
    }

    /// The version served (`v1alpha1`, `v1`).
    pub fn version(self) -> &'static str {
        match self {
            ApiGroup::Traefik | ApiGroup::TraefikLegacy => "v1alpha1",
            _ => "v1",
        }
    }

    /// `group/version`, or `v1` for core.
    pub fn api_version(self) -> &'static str {
        match self {
            ApiGroup::Traefik => "traefik.io/v1alpha1",
            ApiGroup::TraefikLegacy => "traefik.containo.us/v1alpha1",
            ApiGroup::Core => "v1",
            ApiGroup::Discovery => "discovery.k8s.io/v1",
            ApiGroup::Networking => "networking.k8s.io/v1",
        }
    }
}

// === impl Resource ===

impl Resource {
    /// The resource serving `kind` in `group`.
    pub const fn new(kind: Kind, group: ApiGroup) -> Resource {
        Resource { kind, group }
    }

    /// The resource of a manifest's `apiVersion` and `kind`, when Portico reads it.
    pub fn from_type(api_version: &str, kind: &str) -> Option<Resource> {
        let group = match api_version {
            "traefik.io/v1alpha1" => ApiGroup::Traefik,
            "traefik.containo.us/v1alpha1" => ApiGroup::TraefikLegacy,
            "v1" => ApiGroup::Core,
            "discovery.k8s.io/v1" => ApiGroup::Discovery,
            "networking.k8s.io/v1" => ApiGroup::Networking,
            _ => return None,
        };
        let kind = match (group, kind) {
            (ApiGroup::Traefik | ApiGroup::TraefikLegacy, k) => {
                *TRAEFIK_KINDS.iter().find(|t| t.name() == k)?
            }
            (ApiGroup::Core, "Service") => Kind::Service,
            (ApiGroup::Core, "Secret") => Kind::Secret,
            (ApiGroup::Discovery, "EndpointSlice") => Kind::EndpointSlice,
            (ApiGroup::Networking, "Ingress") => Kind::Ingress,
            (ApiGroup::Networking, "IngressClass") => Kind::IngressClass,
            _ => return None,
        };
        Some(Resource { kind, group })
    }

    /// Whether this is the `traefik.containo.us` group.
    pub fn is_legacy(self) -> bool {
        self.group == ApiGroup::TraefikLegacy
    }

    /// The resources the CRD provider watches: Traefik's kinds in both groups, and
    /// the core objects they reference.
    pub fn crd_provider() -> Vec<Resource> {
        let mut all: Vec<Resource> = [ApiGroup::Traefik, ApiGroup::TraefikLegacy]
            .into_iter()
            .flat_map(|g| TRAEFIK_KINDS.map(|k| Resource::new(k, g)))
            .collect();
        all.extend(Resource::backends());
        all
    }

    /// The resources the Ingress provider watches (`IngressClass` only when
    /// `with_classes`).
    pub fn ingress_provider(with_classes: bool) -> Vec<Resource> {
        let mut all = vec![Resource::new(Kind::Ingress, ApiGroup::Networking)];
        if with_classes {
            all.push(Resource::new(Kind::IngressClass, ApiGroup::Networking));
        }
        all.extend(Resource::backends());
        all
    }

    fn backends() -> [Resource; 3] {
        [
            Resource::new(Kind::Service, ApiGroup::Core),
            Resource::new(Kind::EndpointSlice, ApiGroup::Discovery),
            Resource::new(Kind::Secret, ApiGroup::Core),
        ]
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind, self.group.api_version())
    }
}
