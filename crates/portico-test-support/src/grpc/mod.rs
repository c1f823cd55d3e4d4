//! A real gRPC backend and client (tonic), for end-to-end tests of gRPC through
//! the proxy.
//!
//! - [`h2c`] and [`tls`] start a server on `127.0.0.1:0` with the test
//!   `Echo` service ([`proto`]) and the standard `grpc.health.v1.Health`
//!   service (tonic-health), whose answer is switched at runtime with
//!   [`GrpcServer::set_serving`];
//! - `Echo/Unary` echoes the message, or answers the status a request asks for
//!   ([`EchoRequest::fail`]: in trailers after the headers;
//!   [`EchoRequest::fail_trailers_only`]: `grpc-status` in the headers);
//! - `Echo/Stream` is bidirectional: one reply per request, sent as each request
//!   arrives;
//! - [`GrpcClient`] speaks over one HTTP/2 connection, h2c or TLS (custom CA,
//!   SNI, client certificate), so it can go through a proxy entrypoint;
//!   [`raw_unary`] shows the response headers and trailers apart.
//!
//! No code is generated: the messages derive `prost::Message` and the calls go
//! through `tonic::server::Grpc` and `tonic::client::Grpc` by hand.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() {
//! use portico_test_support::grpc;
//!
//! let server = grpc::h2c("g1").await;
//! let mut client = grpc::GrpcClient::h2c(server.addr(), "grpc.test").await.expect("connect");
//! let reply = client.unary("hello").await.expect("reply");
//! assert_eq!((reply.message.as_str(), reply.server.as_str()), ("hello", "g1"));
//!
//! server.set_serving(false).await;
//! assert_eq!(client.health("").await.expect("health"), grpc::ServingStatus::NotServing);
//! # }
//! ```

mod client;
pub mod proto;
mod server;

pub use self::{
    client::{
        BidiCall, GrpcClient, GrpcConnectError, H2Channel, RawReply, decode_replies, raw_unary,
    },
    proto::{EchoReply, EchoRequest},
    server::{GrpcServer, h2c, tls},
};
/// gRPC status codes and errors.
pub use tonic::{Code, Status};
/// The status a server sets with [`GrpcServer::set_service_status`].
pub use tonic_health::ServingStatus as HealthStatus;
/// The serving status a health check answers (the wire enum of
/// `grpc.health.v1.HealthCheckResponse`).
pub use tonic_health::pb::health_check_response::ServingStatus;

#[cfg(test)]
mod tests;
