//! UDP routing (`dynamic.UDPConfiguration`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::raw::routing::WeightedService;
/// UDP routing (`dynamic.UDPConfiguration`). Map keys are names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UdpConfig {
    /// Routers, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routers: Option<BTreeMap<String, UdpRouter>>,
    /// Services, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<BTreeMap<String, UdpService>>,
}

/// A UDP router (`dynamic.UDPRouter`): no rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UdpRouter {
    /// Entrypoints it listens on (default: all UDP entrypoints).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_points: Option<Vec<String>>,
    /// Service name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// A UDP service (`dynamic.UDPService`): exactly one kind is expected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UdpService {
    /// Load-balance over servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<UdpLoadBalancer>,
    /// Weighted round robin over services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted: Option<UdpWeighted>,
}

/// A UDP load balancer (`dynamic.UDPServersLoadBalancer`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UdpLoadBalancer {
    /// Servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<UdpServer>>,
}

/// A UDP server (`dynamic.UDPServer`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UdpServer {
    /// `host:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Weighted round robin over UDP services (`dynamic.UDPWeightedRoundRobin`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UdpWeighted {
    /// Services and their weights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<WeightedService>>,
}
