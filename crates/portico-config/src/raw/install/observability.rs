//! Metrics, log and access log (`types.Metrics`, `types.TraefikLog`,
//! `types.AccessLog`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::raw::{Duration, Opaque};
/// Metrics exporters (`types.Metrics`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metrics {
    /// Also record internal services (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_internals: Option<bool>,
    /// Prometheus exporter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<Prometheus>,
    /// Datadog exporter: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datadog: Option<Opaque>,
    /// StatsD exporter: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats_d: Option<Opaque>,
    /// InfluxDB 2 exporter: not supported by Portico.
    #[serde(rename = "influxDB2", skip_serializing_if = "Option::is_none")]
    pub influx_db2: Option<Opaque>,
    /// OpenTelemetry exporter: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otlp: Option<Opaque>,
}

/// The Prometheus exporter (`types.Prometheus`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Prometheus {
    /// Latency histogram buckets in seconds (default 0.1, 0.3, 1.2, 5.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buckets: Option<Vec<f64>>,
    /// Label metrics with the entrypoint (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_entry_points_labels: Option<bool>,
    /// Label metrics with the router (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_routers_labels: Option<bool>,
    /// Label metrics with the service (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_services_labels: Option<bool>,
    /// Entrypoint serving `/metrics` (default `traefik`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// Leave routing to a user router on `prometheus@internal` (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_routing: Option<bool>,
    /// Extra labels from request headers: label name to header name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_labels: Option<BTreeMap<String, String>>,
}

/// Portico's own log (`types.TraefikLog`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Log {
    /// `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR` (default), `FATAL` or `PANIC`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// `common` (default) or `json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// No colours in the `common` format (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_color: Option<bool>,
    /// Log file (default: standard output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    /// Rotate the file at this many megabytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_size: Option<i64>,
    /// Keep rotated files this many days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    /// Keep this many rotated files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_backups: Option<i64>,
    /// Compress rotated files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compress: Option<bool>,
    /// OpenTelemetry log export: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otlp: Option<Opaque>,
}

/// The access log (`types.AccessLog`). Present means enabled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessLog {
    /// Log file (default: standard output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    /// `common` (default), `genericCLF` or `json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Which requests are logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<AccessLogFilters>,
    /// Which fields are logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<AccessLogFields>,
    /// Lines buffered before writing (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffering_size: Option<i64>,
    /// Also log internal services (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_internals: Option<bool>,
    /// Write to the file and to OTLP at once (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dual_output: Option<bool>,
    /// OpenTelemetry access log export: not supported by Portico.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otlp: Option<Opaque>,
}

/// Which requests are logged (`types.AccessLogFilters`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessLogFilters {
    /// Status codes or ranges (`"500-599"`) to log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_codes: Option<Vec<String>>,
    /// Log requests that were retried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_attempts: Option<bool>,
    /// Log requests slower than this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_duration: Option<Duration>,
}

/// Which fields are logged (`types.AccessLogFields`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessLogFields {
    /// `keep` (default) or `drop` for fields not named below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<String>,
    /// Per field name: `keep` or `drop`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<BTreeMap<String, String>>,
    /// Request header fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<FieldHeaders>,
    /// Query parameters in the logged URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_parameters: Option<FieldQueryParameters>,
}

/// Header fields of the access log (`types.FieldHeaders`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldHeaders {
    /// `keep`, `drop` (default) or `redact` for headers not named below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<String>,
    /// Per header name (case kept): `keep`, `drop` or `redact`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<BTreeMap<String, String>>,
}

/// Query parameters of the logged URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldQueryParameters {
    /// `keep` (default), `drop` or `redact` for parameters not named below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<String>,
    /// Per parameter name: `keep`, `drop` or `redact`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<BTreeMap<String, String>>,
}
