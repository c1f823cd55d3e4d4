//! Traffic and client middlewares: ipAllowList (and ipWhiteList),
//! inFlightReq, rateLimit, passTLSClientCert.

use serde::{Deserialize, Serialize};

use crate::raw::{ClientTls, Duration};
/// The ipAllowList middleware (`dynamic.IPAllowList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IpAllowList {
    /// Allowed IPs and CIDRs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_range: Option<Vec<String>>,
    /// How the client IP is found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_strategy: Option<IpStrategy>,
    /// Status answered to other clients (default 403).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_status_code: Option<i64>,
}

/// The deprecated ipWhiteList middleware (`dynamic.IPWhiteList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IpWhiteList {
    /// Allowed IPs and CIDRs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_range: Option<Vec<String>>,
    /// How the client IP is found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_strategy: Option<IpStrategy>,
}

/// How the client IP is found (`dynamic.IPStrategy`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IpStrategy {
    /// Take the n-th `X-Forwarded-For` entry from the right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<i64>,
    /// Skip these `X-Forwarded-For` entries (ignored when `depth` is set).
    #[serde(rename = "excludedIPs", skip_serializing_if = "Option::is_none")]
    pub excluded_ips: Option<Vec<String>>,
    /// Group IPv6 clients by this prefix length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_subnet: Option<i64>,
}

/// The inFlightReq middleware (`dynamic.InFlightReq`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InFlightReq {
    /// Concurrent requests allowed per source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// What a source is (default: the client IP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_criterion: Option<SourceCriterion>,
}

/// What a source is, for rate and concurrency limits (`dynamic.SourceCriterion`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SourceCriterion {
    /// The client IP, found this way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_strategy: Option<IpStrategy>,
    /// The value of this request header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_header_name: Option<String>,
    /// The requested host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_host: Option<bool>,
}

/// The rateLimit middleware (`dynamic.RateLimit`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed per `period` on average (0: no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<i64>,
    /// Period of `average` (default 1s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Duration>,
    /// Requests allowed at once (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst: Option<i64>,
    /// What a source is (default: the client IP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_criterion: Option<SourceCriterion>,
    /// Share the limit through Redis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<RateLimitRedis>,
}

/// Redis backing a distributed rate limit (`dynamic.Redis`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateLimitRedis {
    /// Redis addresses (default `localhost:6379`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
    /// TLS towards Redis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
    /// Redis user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Redis password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Database number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db: Option<i64>,
    /// Connection pool size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_size: Option<i64>,
    /// Idle connections kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_idle_conns: Option<i64>,
    /// Connections allowed at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_active_conns: Option<i64>,
    /// Read timeout (default 3s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_timeout: Option<Duration>,
    /// Write timeout (default 3s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_timeout: Option<Duration>,
    /// Connect timeout (default 5s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dial_timeout: Option<Duration>,
}

/// The passTLSClientCert middleware (`dynamic.PassTLSClientCert`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PassTlsClientCert {
    /// Pass the certificate in `X-Forwarded-Tls-Client-Cert`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pem: Option<bool>,
    /// Pass selected fields in `X-Forwarded-Tls-Client-Cert-Info`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<TlsClientCertInfo>,
}

/// Certificate fields passed by passTLSClientCert (`dynamic.TLSClientCertificateInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsClientCertInfo {
    /// Pass `NotAfter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<bool>,
    /// Pass `NotBefore`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<bool>,
    /// Pass the subject alternative names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sans: Option<bool>,
    /// Pass the serial number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<bool>,
    /// Subject fields to pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<TlsClientCertSubject>,
    /// Issuer fields to pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<TlsClientCertIssuer>,
}

/// Subject fields passed by passTLSClientCert (`dynamic.TLSClientCertificateSubjectDNInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsClientCertSubject {
    /// Pass `C`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<bool>,
    /// Pass `ST`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<bool>,
    /// Pass `L`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<bool>,
    /// Pass `O`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<bool>,
    /// Pass `OU`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizational_unit: Option<bool>,
    /// Pass `CN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_name: Option<bool>,
    /// Pass the subject serial number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<bool>,
    /// Pass `DC`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_component: Option<bool>,
}

/// Issuer fields passed by passTLSClientCert (`dynamic.TLSClientCertificateIssuerDNInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsClientCertIssuer {
    /// Pass `C`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<bool>,
    /// Pass `ST`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<bool>,
    /// Pass `L`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<bool>,
    /// Pass `O`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<bool>,
    /// Pass `CN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_name: Option<bool>,
    /// Pass the issuer serial number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<bool>,
    /// Pass `DC`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_component: Option<bool>,
}
