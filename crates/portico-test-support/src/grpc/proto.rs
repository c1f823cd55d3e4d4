//! The messages of the test `Echo` service, written by hand with prost (no protoc).
//!
//! The equivalent `.proto`:
//!
//! ```proto
//! syntax = "proto3";
//! package portico.test;
//!
//! service Echo {
//!   rpc Unary(EchoRequest) returns (EchoReply);
//!   rpc Stream(stream EchoRequest) returns (stream EchoReply);
//! }
//!
//! message EchoRequest {
//!   string message = 1;
//!   int32 error_code = 2;
//!   string error_message = 3;
//!   bool trailers_only = 4;
//! }
//!
//! message EchoReply {
//!   string message = 1;
//!   string server = 2;
//!   string authority = 3;
//! }
//! ```

use tonic::Code;

/// The gRPC service name (`package.Service`).
pub const ECHO_SERVICE: &str = "portico.test.Echo";

/// The path of the unary method.
pub const UNARY_PATH: &str = "/portico.test.Echo/Unary";

/// The path of the bidirectional-streaming method.
pub const STREAM_PATH: &str = "/portico.test.Echo/Stream";

/// A request to the `Echo` service.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EchoRequest {
    /// Echoed back in [`EchoReply::message`].
    #[prost(string, tag = "1")]
    pub message: String,
    /// When non-zero, the server answers this gRPC status code instead of a reply.
    #[prost(int32, tag = "2")]
    pub error_code: i32,
    /// The `grpc-message` of that error.
    #[prost(string, tag = "3")]
    pub error_message: String,
    /// Unary only: send the error as a "trailers-only" response (`grpc-status` in
    /// the response headers) instead of headers followed by trailers.
    #[prost(bool, tag = "4")]
    pub trailers_only: bool,
}

/// A reply from the `Echo` service.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EchoReply {
    /// The request's message.
    #[prost(string, tag = "1")]
    pub message: String,
    /// The name of the server that answered.
    #[prost(string, tag = "2")]
    pub server: String,
    /// The `:authority` (or `Host`) the server received.
    #[prost(string, tag = "3")]
    pub authority: String,
}

// === impl EchoRequest ===

impl EchoRequest {
    /// A request whose message is echoed back.
    pub fn echo(message: &str) -> EchoRequest {
        EchoRequest {
            message: message.to_owned(),
            ..EchoRequest::default()
        }
    }

    /// A request the server answers with status `code` and `grpc-message`
    /// `message`, sent in trailers after the response headers.
    pub fn fail(code: Code, message: &str) -> EchoRequest {
        EchoRequest {
            message: String::new(),
            error_code: code as i32,
            error_message: message.to_owned(),
            trailers_only: false,
        }
    }

    /// Like [`EchoRequest::fail`], answered as a trailers-only response
    /// (`grpc-status` in the headers, no body, no trailers).
    pub fn fail_trailers_only(code: Code, message: &str) -> EchoRequest {
        EchoRequest {
            trailers_only: true,
            ..EchoRequest::fail(code, message)
        }
    }
}
