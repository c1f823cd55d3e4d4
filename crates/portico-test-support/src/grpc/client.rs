//! The gRPC test client: one HTTP/2 connection (h2c or TLS) driven by
//! `tonic::client::Grpc`, plus a raw call that shows where `grpc-status` travelled.

use std::{
    future::Future,
    net::SocketAddr,
    pin::Pin,
    task::{Context, Poll},
};

use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::{body::Incoming, client::conn::http2::SendRequest};
use hyper_util::rt::{TokioExecutor, TokioIo};
use prost::Message;
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpStream,
    sync::mpsc,
};
use tonic::{Status, Streaming, client::Grpc, metadata::MetadataMap};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};
use tonic_prost::ProstCodec;

use super::proto::{EchoReply, EchoRequest, STREAM_PATH, UNARY_PATH};
use crate::tls::{ClientOptions, client_config, connect};

/// Why a gRPC client could not connect.
#[derive(Debug, thiserror::Error)]
pub enum GrpcConnectError {
    /// The TCP connection failed.
    #[error("connect to {addr} failed")]
    Connect {
        /// The address dialled.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake with {addr} (SNI {sni:?}) failed")]
    Tls {
        /// The address dialled.
        addr: SocketAddr,
        /// The SNI name sent.
        sni: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP/2 handshake failed.
    #[error("HTTP/2 handshake with {addr} failed")]
    Http2 {
        /// The address dialled.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: hyper::Error,
    },
}

/// One HTTP/2 connection as a tower service, usable by `tonic::client::Grpc`
/// and generated tonic clients.
#[derive(Clone, Debug)]
pub struct H2Channel {
    sender: SendRequest<tonic::body::Body>,
    origin: Uri,
}

/// A client of the `Echo` and `grpc.health.v1.Health` services over one
/// connection.
#[derive(Clone, Debug)]
pub struct GrpcClient {
    grpc: Grpc<H2Channel>,
    health: HealthClient<H2Channel>,
}

/// An open `Echo/Stream` call.
#[derive(Debug)]
pub struct BidiCall {
    requests: Option<mpsc::Sender<EchoRequest>>,
    replies: Streaming<EchoReply>,
}

/// A gRPC response as it came over the wire.
#[derive(Debug)]
pub struct RawReply {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (`grpc-status` is here in a trailers-only response).
    pub headers: HeaderMap,
    /// The trailers, if any were sent.
    pub trailers: Option<HeaderMap>,
    /// The whole body, length-prefixed gRPC messages.
    pub body: Bytes,
}

// === impl H2Channel ===

impl H2Channel {
    /// Cleartext HTTP/2 (prior knowledge) to `addr`; requests carry
    /// `:authority` `authority`.
    pub async fn h2c(addr: SocketAddr, authority: &str) -> Result<H2Channel, GrpcConnectError> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|source| GrpcConnectError::Connect { addr, source })?;
        H2Channel::handshake(addr, tcp, &format!("http://{authority}")).await
    }

    /// HTTP/2 over TLS to `addr` with SNI and `:authority` `sni`. `options`
    /// says which CA to trust and which client certificate to present; its
    /// ALPN list defaults to `h2` when empty.
    pub async fn tls(
        addr: SocketAddr,
        sni: &str,
        options: &ClientOptions,
    ) -> Result<H2Channel, GrpcConnectError> {
        let mut options = options.clone();
        if options.alpn.is_empty() {
            options.alpn = vec!["h2"];
        }
        let stream = connect(addr, sni, client_config(&options))
            .await
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::ConnectionRefused => GrpcConnectError::Connect { addr, source },
                _ => GrpcConnectError::Tls {
                    addr,
                    sni: sni.to_owned(),
                    source,
                },
            })?;
        H2Channel::handshake(addr, stream, &format!("https://{sni}")).await
    }

    async fn handshake<I>(
        addr: SocketAddr,
        io: I,
        origin: &str,
    ) -> Result<H2Channel, GrpcConnectError>
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io))
                .await
                .map_err(|source| GrpcConnectError::Http2 { addr, source })?;
        tokio::spawn(connection);
        Ok(H2Channel {
            sender,
            origin: origin.parse().expect("origin URI"),
        })
    }

    /// The scheme and authority requests are sent with.
    pub fn origin(&self) -> &Uri {
        &self.origin
    }
}

impl tower::Service<http::Request<tonic::body::Body>> for H2Channel {
    type Response = http::Response<Incoming>;
    type Error = hyper::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.sender.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        Box::pin(self.sender.send_request(request))
    }
}

// === impl GrpcClient ===

impl GrpcClient {
    /// A client over `channel`.
    pub fn new(channel: H2Channel) -> GrpcClient {
        let origin = channel.origin.clone();
        GrpcClient {
            grpc: Grpc::with_origin(channel.clone(), origin.clone()),
            health: HealthClient::with_origin(channel, origin),
        }
    }

    /// Connects over h2c; see [`H2Channel::h2c`].
    pub async fn h2c(addr: SocketAddr, authority: &str) -> Result<GrpcClient, GrpcConnectError> {
        Ok(GrpcClient::new(H2Channel::h2c(addr, authority).await?))
    }

    /// Connects over TLS; see [`H2Channel::tls`].
    pub async fn tls(
        addr: SocketAddr,
        sni: &str,
        options: &ClientOptions,
    ) -> Result<GrpcClient, GrpcConnectError> {
        Ok(GrpcClient::new(H2Channel::tls(addr, sni, options).await?))
    }

    /// `Echo/Unary` with `message`.
    pub async fn unary(&mut self, message: &str) -> Result<EchoReply, Status> {
        Ok(self.call(EchoRequest::echo(message)).await?.into_inner())
    }

    /// `Echo/Unary` with any request; the response keeps its metadata.
    pub async fn call(
        &mut self,
        request: EchoRequest,
    ) -> Result<tonic::Response<EchoReply>, Status> {
        self.ready().await?;
        self.grpc
            .unary(
                tonic::Request::new(request),
                http::uri::PathAndQuery::from_static(UNARY_PATH),
                ProstCodec::<EchoRequest, EchoReply>::default(),
            )
            .await
    }

    /// Opens an `Echo/Stream` call.
    pub async fn bidi(&mut self) -> Result<BidiCall, Status> {
        self.ready().await?;
        let (requests, mut outbound) = mpsc::channel::<EchoRequest>(16);
        let outbound = futures_util::stream::poll_fn(move |cx| outbound.poll_recv(cx));
        let response = self
            .grpc
            .streaming(
                tonic::Request::new(outbound),
                http::uri::PathAndQuery::from_static(STREAM_PATH),
                ProstCodec::<EchoRequest, EchoReply>::default(),
            )
            .await?;
        Ok(BidiCall {
            requests: Some(requests),
            replies: response.into_inner(),
        })
    }

    /// `grpc.health.v1.Health/Check` for `service` (`""` is the whole server).
    pub async fn health(&mut self, service: &str) -> Result<ServingStatus, Status> {
        let reply = self
            .health
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await?
            .into_inner();
        ServingStatus::try_from(reply.status)
            .map_err(|_| Status::internal(format!("unknown serving status {}", reply.status)))
    }

    async fn ready(&mut self) -> Result<(), Status> {
        self.grpc
            .ready()
            .await
            .map_err(|e| Status::unavailable(format!("connection not ready: {e}")))
    }
}

// === impl BidiCall ===

impl BidiCall {
    /// Sends one request on the call.
    pub async fn send(&self, request: EchoRequest) -> Result<(), Status> {
        let requests = self
            .requests
            .as_ref()
            .ok_or_else(|| Status::failed_precondition("request stream already closed"))?;
        requests
            .send(request)
            .await
            .map_err(|_| Status::unavailable("request stream closed by the transport"))
    }

    /// Sends a request carrying `message`.
    pub async fn say(&self, message: &str) -> Result<(), Status> {
        self.send(EchoRequest::echo(message)).await
    }

    /// The next reply; `Ok(None)` once the server ended the call with OK.
    pub async fn next(&mut self) -> Result<Option<EchoReply>, Status> {
        self.replies.message().await
    }

    /// Ends the request stream (the client's half of the call).
    pub fn close_send(&mut self) {
        self.requests = None;
    }

    /// The trailers, once every reply has been read.
    pub async fn trailers(&mut self) -> Result<Option<MetadataMap>, Status> {
        self.replies.trailers().await
    }
}

// === raw calls ===

/// Sends `request` to `Echo/Unary` on `channel` and returns the response as it
/// came: headers, body and trailers apart, so a test can tell a trailers-only
/// error from one sent in trailers.
pub async fn raw_unary(
    channel: &mut H2Channel,
    request: &EchoRequest,
) -> Result<RawReply, hyper::Error> {
    let mut frame = BytesMut::new();
    frame.put_u8(0);
    frame.put_u32(u32::try_from(request.encoded_len()).expect("message fits a gRPC frame"));
    request.encode(&mut frame).expect("buffer grows");
    let uri = format!(
        "{}{UNARY_PATH}",
        channel.origin.to_string().trim_end_matches('/')
    );
    let http_request = http::Request::post(uri)
        .version(http::Version::HTTP_2)
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(tonic::body::Body::new(Full::new(frame.freeze())))
        .expect("request");
    let response = tower::ServiceExt::oneshot(channel.clone(), http_request).await?;
    let (parts, body) = response.into_parts();
    let collected = body.collect().await?;
    let trailers = collected.trailers().cloned();
    Ok(RawReply {
        status: parts.status,
        headers: parts.headers,
        trailers,
        body: collected.to_bytes(),
    })
}

/// Decodes the messages of a gRPC body (uncompressed frames).
pub fn decode_replies(mut body: &[u8]) -> Vec<EchoReply> {
    let mut replies = Vec::new();
    while body.len() >= 5 {
        let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        let Some(message) = body.get(5..5 + len) else {
            break;
        };
        if let Ok(reply) = EchoReply::decode(message) {
            replies.push(reply);
        }
        body = &body[5 + len..];
    }
    replies
}

impl RawReply {
    /// `grpc-status` from the headers (trailers-only) or else the trailers.
    pub fn grpc_status(&self) -> Option<&str> {
        self.headers
            .get("grpc-status")
            .or_else(|| self.trailers.as_ref()?.get("grpc-status"))
            .and_then(|v| v.to_str().ok())
    }

    /// `grpc-message` from the headers (trailers-only) or else the trailers.
    pub fn grpc_message(&self) -> Option<&str> {
        self.headers
            .get("grpc-message")
            .or_else(|| self.trailers.as_ref()?.get("grpc-message"))
            .and_then(|v| v.to_str().ok())
    }

    /// The replies in the body.
    pub fn replies(&self) -> Vec<EchoReply> {
        decode_replies(&self.body)
    }
}
