//! gRPC through the proxy with a real tonic server and client: unary and
//! bidirectional streaming over h2c (client and server) and over TLS (a
//! `websecure` entrypoint, an `https://` server trusted by `rootCAs`), with
//! `grpc-status`/`grpc-message` kept in trailers and in trailers-only answers,
//! and a gRPC health check through the TLS transport.

use std::{net::SocketAddr, time::Duration};

use portico_e2e::{EXCHANGE_LIMIT, within};
use portico_test_support::{
    grpc::{self, Code, EchoRequest, GrpcClient, GrpcServer, H2Channel, RawReply, raw_unary},
    proxy::{self, Proxy},
    tls::{Ca, ClientOptions},
};

use super::{assert_enabled, indent, support::Files};

/// The name clients use for the proxy's `websecure` entrypoint.
const FRONT_NAME: &str = "grpc.example.com";

/// A proxy in front of gRPC servers, and what clients need to reach it.
struct Front {
    proxy: Proxy,
    /// The CA of the entrypoint's certificate.
    front_ca: Ca,
    _files: Files,
}

/// Starts Portico with entrypoints `web` (cleartext, HTTP/2 by prior
/// knowledge) and `websecure` (TLS with a certificate for [`FRONT_NAME`]),
/// router `grpc` on both to a load balancer over `urls`. With `backend_ca`, the
/// service's transport trusts that CA (for `https://` servers). `service_extra`
/// is added to the load balancer (YAML, at its indentation).
async fn front(urls: &[String], backend_ca: Option<&Ca>, service_extra: &str) -> Front {
    let files = Files::new();
    let front_ca = Ca::new("front CA");
    let (cert, key) = files.leaf(&front_ca.leaf(&[FRONT_NAME]), "front");
    let servers: String = urls
        .iter()
        .map(|u| format!("          - url: \"{u}\"\n"))
        .collect();
    let (reference, transports) = match backend_ca {
        Some(ca) => {
            let ca_file = files.write("backend-ca.pem", &ca.pem());
            (
                "        serversTransport: tr\n",
                format!("  serversTransports:\n    tr:\n      rootCAs: [{ca_file}]\n"),
            )
        }
        None => ("", String::new()),
    };
    let routing = format!(
        "http:\n  routers:\n    grpc:\n      rule: PathPrefix(`/`)\n      service: grpc\n      entryPoints: [web]\n    grpc-tls:\n      rule: PathPrefix(`/`)\n      service: grpc\n      entryPoints: [websecure]\n      tls: {{}}\n  services:\n    grpc:\n      loadBalancer:\n{reference}{}        servers:\n{servers}{transports}tls:\n  certificates:\n    - certFile: {cert}\n      keyFile: {key}\n",
        indent(service_extra, 8),
    );
    let proxy = proxy::builder()
        .install("entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\n  websecure:\n    address: \"127.0.0.1:0\"\n")
        .routing("routing.yaml", &routing)
        .start()
        .await;
    assert_enabled(&proxy, &routing);
    assert!(proxy.status().tls.is_empty(), "{:?}", proxy.status().tls);
    Front {
        proxy,
        front_ca,
        _files: files,
    }
}

// === impl Front ===

impl Front {
    fn web(&self) -> SocketAddr {
        self.proxy.addr("web")
    }

    fn client_options(&self) -> ClientOptions {
        ClientOptions {
            ca: Some(self.front_ca.pem()),
            ..ClientOptions::default()
        }
    }

    /// A gRPC client over cleartext HTTP/2 to `web`.
    async fn h2c_client(&self) -> GrpcClient {
        within(
            EXCHANGE_LIMIT,
            "h2c connect",
            GrpcClient::h2c(self.web(), "grpc.test"),
        )
        .await
        .expect("h2c connection to the proxy")
    }

    /// A gRPC client over TLS to `websecure`.
    async fn tls_client(&self) -> GrpcClient {
        within(
            EXCHANGE_LIMIT,
            "TLS connect",
            GrpcClient::tls(
                self.proxy.addr("websecure"),
                FRONT_NAME,
                &self.client_options(),
            ),
        )
        .await
        .expect("TLS connection to the proxy")
    }

    /// A raw HTTP/2 channel, h2c to `web` or TLS to `websecure`.
    async fn channel(&self, tls: bool) -> H2Channel {
        let connecting = async {
            if tls {
                H2Channel::tls(
                    self.proxy.addr("websecure"),
                    FRONT_NAME,
                    &self.client_options(),
                )
                .await
            } else {
                H2Channel::h2c(self.web(), "grpc.test").await
            }
        };
        within(EXCHANGE_LIMIT, "channel", connecting)
            .await
            .expect("HTTP/2 connection to the proxy")
    }
}

/// A TLS gRPC server named `name` with a certificate for 127.0.0.1 signed by `ca`.
async fn tls_server(name: &str, ca: &Ca) -> GrpcServer {
    grpc::tls(name, &ca.leaf(&["127.0.0.1"])).await
}

/// Unary calls (some concurrent) and a bidirectional stream whose replies
/// arrive one by one, each before the next request is sent.
async fn unary_and_bidi(mut client: GrpcClient, server: &str) {
    let reply = within(EXCHANGE_LIMIT, "unary", client.unary("hello"))
        .await
        .expect("unary reply");
    assert_eq!(
        (reply.message.as_str(), reply.server.as_str()),
        ("hello", server)
    );

    let calls = (0..20).map(|i| {
        let mut client = client.clone();
        async move { client.unary(&format!("call {i}")).await }
    });
    let replies = within(
        EXCHANGE_LIMIT,
        "concurrent unary calls",
        futures_util::future::join_all(calls),
    )
    .await;
    for (i, reply) in replies.into_iter().enumerate() {
        assert_eq!(reply.expect("reply").message, format!("call {i}"));
    }

    let mut call = within(EXCHANGE_LIMIT, "open stream", client.bidi())
        .await
        .expect("stream");
    for word in ["one", "two", "three"] {
        call.say(word).await.expect("send");
        let reply = within(EXCHANGE_LIMIT, "streamed reply", call.next())
            .await
            .expect("reply")
            .expect("a reply before the stream ends");
        assert_eq!(
            (reply.message.as_str(), reply.server.as_str()),
            (word, server)
        );
    }
    call.close_send();
    let end = within(EXCHANGE_LIMIT, "end of stream", call.next())
        .await
        .expect("clean end");
    assert!(end.is_none(), "no reply after the client closed: {end:?}");
    let trailers = within(EXCHANGE_LIMIT, "trailers", call.trailers())
        .await
        .expect("trailers");
    let status = trailers.as_ref().and_then(|t| t.get("grpc-status"));
    assert_eq!(
        status.and_then(|v| v.to_str().ok()),
        Some("0"),
        "{trailers:?}"
    );
}

/// Error statuses through the proxy: in trailers, trailers-only, mid-stream,
/// with a percent-encoded message.
async fn errors(front: &Front, tls: bool) {
    let mut client = if tls {
        front.tls_client().await
    } else {
        front.h2c_client().await
    };
    let status = within(
        EXCHANGE_LIMIT,
        "failing call",
        client.call(EchoRequest::fail(Code::NotFound, "no such echo: café ✓")),
    )
    .await
    .expect_err("an error status");
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "no such echo: café ✓");

    let mut channel = front.channel(tls).await;
    let raw = raw(
        &mut channel,
        EchoRequest::fail(Code::PermissionDenied, "no entry"),
    )
    .await;
    assert_eq!(raw.status, 200);
    assert!(
        raw.headers.get("grpc-status").is_none(),
        "the status was sent in trailers, not in the headers: {:?}",
        raw.headers
    );
    let trailers = raw.trailers.as_ref().expect("trailers were forwarded");
    assert_eq!(trailers["grpc-status"], "7");
    assert_eq!(trailers["grpc-message"], "no%20entry");

    let raw = raw_trailers_only(&mut channel).await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.headers["grpc-status"], "14", "{:?}", raw.headers);
    assert_eq!(raw.grpc_message(), Some("try%20later"));
    assert!(raw.body.is_empty(), "{:?}", raw.body);
    assert!(
        raw.trailers.as_ref().is_none_or(|t| t.is_empty()),
        "a trailers-only answer stays trailers-only: {:?}",
        raw.trailers
    );

    let mut call = client.bidi().await.expect("stream");
    call.say("fine").await.expect("send");
    let reply = within(EXCHANGE_LIMIT, "first reply", call.next())
        .await
        .expect("reply");
    assert_eq!(reply.map(|r| r.message).as_deref(), Some("fine"));
    call.send(EchoRequest::fail(Code::Aborted, "stream aborted"))
        .await
        .expect("send");
    let status = within(EXCHANGE_LIMIT, "stream error", call.next())
        .await
        .expect_err("the stream ends with an error");
    assert_eq!(status.code(), Code::Aborted);
    assert_eq!(status.message(), "stream aborted");
}

async fn raw(channel: &mut H2Channel, request: EchoRequest) -> RawReply {
    within(EXCHANGE_LIMIT, "raw call", raw_unary(channel, &request))
        .await
        .expect("response")
}

async fn raw_trailers_only(channel: &mut H2Channel) -> RawReply {
    raw(
        channel,
        EchoRequest::fail_trailers_only(Code::Unavailable, "try later"),
    )
    .await
}

#[tokio::test]
async fn unary_and_bidi_streaming_over_h2c() {
    let server = grpc::h2c("g1").await;
    let front = front(&[server.url()], None, "").await;
    unary_and_bidi(front.h2c_client().await, "g1").await;
    // 1 + 20 unary calls, 1 stream.
    assert_eq!(server.calls(), 22);
}

#[tokio::test]
async fn grpc_errors_keep_their_status_and_message_over_h2c() {
    let server = grpc::h2c("g1").await;
    let front = front(&[server.url()], None, "").await;
    errors(&front, false).await;
}

#[tokio::test]
async fn unary_and_bidi_streaming_over_tls() {
    let backend_ca = Ca::new("backend CA");
    let server = tls_server("g-tls", &backend_ca).await;
    assert!(server.url().starts_with("https://"));
    let front = front(&[server.url()], Some(&backend_ca), "").await;
    unary_and_bidi(front.tls_client().await, "g-tls").await;
    assert_eq!(server.calls(), 22);
}

#[tokio::test]
async fn grpc_errors_keep_their_status_and_message_over_tls() {
    let backend_ca = Ca::new("backend CA");
    let server = tls_server("g-tls", &backend_ca).await;
    let front = front(&[server.url()], Some(&backend_ca), "").await;
    errors(&front, true).await;
}

#[tokio::test]
async fn grpc_health_check_goes_through_the_tls_transport() {
    let backend_ca = Ca::new("backend CA");
    let g1 = tls_server("g1", &backend_ca).await;
    let g2 = tls_server("g2", &backend_ca).await;
    let front = front(
        &[g1.url(), g2.url()],
        Some(&backend_ca),
        "healthCheck:\n  mode: grpc\n  interval: 100ms\n  timeout: 1s\n",
    )
    .await;
    let client = front.tls_client().await;
    let servers = |n: usize, client: &GrpcClient| {
        let client = client.clone();
        async move {
            let mut seen = Vec::new();
            for _ in 0..n {
                let reply = client.clone().unary("who").await.expect("reply");
                seen.push(reply.server);
            }
            seen
        }
    };
    let both = within(EXCHANGE_LIMIT, "calls", servers(6, &client)).await;
    assert!(both.iter().any(|s| s == "g1") && both.iter().any(|s| s == "g2"));

    g1.set_serving(false).await;
    let checks_before = g1.calls();
    // The proxy's view changes within a few intervals.
    within(Duration::from_secs(5), "g1 leaves the rotation", async {
        loop {
            if servers(4, &client).await.iter().all(|s| s == "g2") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let only_g2 = within(EXCHANGE_LIMIT, "calls", servers(10, &client)).await;
    assert!(only_g2.iter().all(|s| s == "g2"), "{only_g2:?}");
    assert!(g1.calls() > checks_before, "g1 is still probed over TLS");

    g1.set_serving(true).await;
    within(Duration::from_secs(5), "g1 rejoins", async {
        loop {
            if servers(4, &client).await.iter().any(|s| s == "g1") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}
