//! `grpcWeb`: validated options (not written yet).

/// The validated options of a `grpcWeb` middleware.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrpcWebSpec {}
