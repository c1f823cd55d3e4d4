//! `passTLSClientCert`: validated options.

/// The validated options of a `passTLSClientCert` middleware.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassTlsClientCertSpec {
    /// Pass the certificates in `X-Forwarded-Tls-Client-Cert`.
    pub pem: bool,
    /// Pass the selected fields in `X-Forwarded-Tls-Client-Cert-Info`.
    pub info: Option<CertInfoSpec>,
}

/// The certificate fields passed in `X-Forwarded-Tls-Client-Cert-Info`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CertInfoSpec {
    /// `NA`.
    pub not_after: bool,
    /// `NB`.
    pub not_before: bool,
    /// `SAN`.
    pub sans: bool,
    /// `SerialNumber`.
    pub serial_number: bool,
    /// `Subject` fields, when configured.
    pub subject: Option<DnSpec>,
    /// `Issuer` fields, when configured (`organizational_unit` is always false).
    pub issuer: Option<DnSpec>,
}

/// Distinguished-name fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DnSpec {
    /// `C`.
    pub country: bool,
    /// `ST`.
    pub province: bool,
    /// `L`.
    pub locality: bool,
    /// `O`.
    pub organization: bool,
    /// `OU` (subject only).
    pub organizational_unit: bool,
    /// `CN`.
    pub common_name: bool,
    /// `SN`.
    pub serial_number: bool,
    /// `DC`.
    pub domain_component: bool,
}
