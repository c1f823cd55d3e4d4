//! HTTP routers (`dynamic.Router`).

use serde::{Deserialize, Serialize};

use crate::raw::{Domain, Observability};
/// An HTTP router (`dynamic.Router`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Router {
    /// Entrypoints it listens on (default: the default entrypoints).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_points: Option<Vec<String>>,
    /// Middlewares, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middlewares: Option<Vec<String>>,
    /// Service name; required unless the router is a parent of other routers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Matching rule, such as ``Host(`example.com`)``; required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// `v3` (default from `core.defaultRuleSyntax`) or `v2`; deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_syntax: Option<String>,
    /// Priority (default: the rule's length).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// Serve over TLS only (presence enables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<RouterTls>,
    /// Observability switches (override the entrypoint's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observability: Option<Observability>,
    /// Parent routers (multi-layer routing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_refs: Option<Vec<String>>,
}

/// TLS of an HTTP router (`dynamic.RouterTLSConfig`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouterTls {
    /// TLS options name (default `default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    /// Certificate resolver name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_resolver: Option<String>,
    /// Domains to obtain certificates for (default: from the rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<Domain>>,
}
