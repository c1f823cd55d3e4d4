//! `passTlsClientCert`: validated options (not written yet).

/// The validated options of a `passTlsClientCert` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassTlsClientCertSpec {}
