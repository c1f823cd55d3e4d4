//! `grpcWeb`: validated options.

/// The validated options of a `grpcWeb` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrpcWebSpec {
    /// Origins allowed to call (`*` for any).
    pub allow_origins: Vec<String>,
}
