use std::{future::Future, time::Duration};

use super::*;
use crate::tls::{Ca, ClientOptions};

const LIMIT: Duration = Duration::from_secs(10);

async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(LIMIT, future)
        .await
        .expect("finished in time")
}

async fn h2c_client(server: &GrpcServer) -> GrpcClient {
    GrpcClient::h2c(server.addr(), "grpc.test")
        .await
        .expect("connect")
}

#[tokio::test]
async fn unary_over_h2c_echoes_message_server_and_authority() {
    let server = h2c("g1").await;
    let mut client = h2c_client(&server).await;

    let reply = within(client.unary("hello")).await.expect("reply");

    assert_eq!(reply.message, "hello");
    assert_eq!(reply.server, "g1");
    assert_eq!(reply.authority, "grpc.test");
    assert_eq!(server.calls(), 1);
    assert_eq!(server.url(), format!("h2c://{}", server.addr()));
}

#[tokio::test]
async fn unary_error_travels_in_trailers_after_headers() {
    let server = h2c("g1").await;
    let mut client = h2c_client(&server).await;
    let failing = EchoRequest::fail(Code::PermissionDenied, "no entry");

    let status = within(client.call(failing.clone()))
        .await
        .expect_err("an error status");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(status.message(), "no entry");

    let mut channel = H2Channel::h2c(server.addr(), "grpc.test")
        .await
        .expect("connect");
    let raw = within(raw_unary(&mut channel, &failing))
        .await
        .expect("response");
    assert_eq!(raw.status, 200);
    assert_eq!(raw.headers["content-type"], "application/grpc");
    assert!(
        raw.headers.get("grpc-status").is_none(),
        "not trailers-only"
    );
    let trailers = raw.trailers.as_ref().expect("trailers");
    assert_eq!(trailers["grpc-status"], "7");
    assert_eq!(raw.grpc_message(), Some("no%20entry"), "percent-encoded");
    assert!(raw.replies().is_empty());
}

#[tokio::test]
async fn unary_error_can_be_trailers_only() {
    let server = h2c("g1").await;
    let mut channel = H2Channel::h2c(server.addr(), "grpc.test")
        .await
        .expect("connect");
    let failing = EchoRequest::fail_trailers_only(Code::Unavailable, "later");

    let raw = within(raw_unary(&mut channel, &failing))
        .await
        .expect("response");

    assert_eq!(raw.headers["grpc-status"], "14");
    assert_eq!(raw.grpc_message(), Some("later"));
    assert!(
        raw.trailers.is_none(),
        "no trailers after a trailers-only answer"
    );
    assert!(raw.body.is_empty());

    let status = within(GrpcClient::new(channel).call(failing))
        .await
        .expect_err("an error status");
    assert_eq!(status.code(), Code::Unavailable);
}

#[tokio::test]
async fn raw_unary_success_has_one_message_and_ok_trailers() {
    let server = h2c("g1").await;
    let mut channel = H2Channel::h2c(server.addr(), "grpc.test")
        .await
        .expect("connect");

    let raw = within(raw_unary(&mut channel, &EchoRequest::echo("hi")))
        .await
        .expect("response");

    assert_eq!(raw.grpc_status(), Some("0"));
    let replies = raw.replies();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].message, "hi");
}

#[tokio::test]
async fn bidi_echoes_each_message_as_it_arrives() {
    let server = h2c("g1").await;
    let mut client = h2c_client(&server).await;
    let mut call = within(client.bidi()).await.expect("call opens");

    // Each reply is read before the next request is sent: the server cannot
    // be waiting for the whole request stream.
    for word in ["one", "two", "three"] {
        within(call.say(word)).await.expect("sent");
        let reply = within(call.next()).await.expect("ok").expect("a reply");
        assert_eq!(reply.message, word);
        assert_eq!(reply.server, "g1");
    }
    call.close_send();
    assert!(within(call.next()).await.expect("ok").is_none());
    let trailers = within(call.trailers())
        .await
        .expect("ok")
        .expect("trailers");
    assert_eq!(trailers.get("grpc-status").expect("grpc-status"), "0");
}

#[tokio::test]
async fn bidi_error_ends_the_call_with_its_status() {
    let server = h2c("g1").await;
    let mut client = h2c_client(&server).await;
    let mut call = within(client.bidi()).await.expect("call opens");

    within(call.say("fine")).await.expect("sent");
    assert_eq!(
        within(call.next())
            .await
            .expect("ok")
            .expect("reply")
            .message,
        "fine"
    );
    within(call.send(EchoRequest::fail(Code::Aborted, "stop here")))
        .await
        .expect("sent");
    let status = within(call.next()).await.expect_err("the error");
    assert_eq!(status.code(), Code::Aborted);
    assert_eq!(status.message(), "stop here");
}

#[tokio::test]
async fn health_check_switches_at_runtime() {
    let server = h2c("g1").await;
    let mut client = h2c_client(&server).await;

    assert_eq!(
        within(client.health("")).await.expect("health"),
        ServingStatus::Serving
    );
    assert_eq!(
        within(client.health(proto::ECHO_SERVICE))
            .await
            .expect("health"),
        ServingStatus::Serving
    );

    server.set_serving(false).await;
    assert_eq!(
        within(client.health("")).await.expect("health"),
        ServingStatus::NotServing
    );
    assert_eq!(
        within(client.health(proto::ECHO_SERVICE))
            .await
            .expect("health"),
        ServingStatus::NotServing
    );

    server.set_serving(true).await;
    assert_eq!(
        within(client.health("")).await.expect("health"),
        ServingStatus::Serving
    );

    server
        .set_service_status("other", HealthStatus::NotServing)
        .await;
    assert_eq!(
        within(client.health("other")).await.expect("health"),
        ServingStatus::NotServing
    );
    let unknown = within(client.health("nobody"))
        .await
        .expect_err("unregistered service");
    assert_eq!(unknown.code(), Code::NotFound);
}

#[tokio::test]
async fn unknown_method_is_unimplemented() {
    let server = h2c("g1").await;
    let mut channel = H2Channel::h2c(server.addr(), "grpc.test")
        .await
        .expect("connect");
    let request = http::Request::post("http://grpc.test/portico.test.Echo/Nope")
        .header("content-type", "application/grpc")
        .body(tonic::body::Body::empty())
        .expect("request");

    let response = within(tower::ServiceExt::oneshot(&mut channel, request))
        .await
        .expect("response");

    assert_eq!(response.headers()["grpc-status"], "12");
}

fn tls_options(ca: &Ca) -> ClientOptions {
    ClientOptions {
        ca: Some(ca.pem()),
        ..ClientOptions::default()
    }
}

#[tokio::test]
async fn unary_and_bidi_over_tls_with_custom_ca_and_sni() {
    let ca = Ca::new("grpc CA");
    let server = tls("g-tls", &ca.leaf(&["grpc.test"])).await;
    assert_eq!(server.url(), format!("https://{}", server.addr()));
    let mut client = within(GrpcClient::tls(
        server.addr(),
        "grpc.test",
        &tls_options(&ca),
    ))
    .await
    .expect("connect");

    let reply = within(client.unary("secure")).await.expect("reply");
    assert_eq!(reply.message, "secure");
    assert_eq!(reply.server, "g-tls");
    assert_eq!(reply.authority, "grpc.test");

    let mut call = within(client.bidi()).await.expect("call opens");
    within(call.say("a")).await.expect("sent");
    assert_eq!(
        within(call.next())
            .await
            .expect("ok")
            .expect("reply")
            .message,
        "a"
    );

    let status = within(client.call(EchoRequest::fail(Code::NotFound, "gone")))
        .await
        .expect_err("an error status");
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(
        within(client.health("")).await.expect("health"),
        ServingStatus::Serving
    );
}

#[tokio::test]
async fn tls_client_refuses_a_server_from_another_ca() {
    let server = tls("g-tls", &Ca::new("server CA").leaf(&["grpc.test"])).await;
    let other = Ca::new("other CA");

    let error = within(GrpcClient::tls(
        server.addr(),
        "grpc.test",
        &tls_options(&other),
    ))
    .await
    .expect_err("untrusted certificate");

    assert!(matches!(error, GrpcConnectError::Tls { .. }), "{error:?}");
}

#[tokio::test]
async fn connecting_to_a_closed_port_is_a_connect_error() {
    let addr = crate::upstream::refused_address();

    let error = within(GrpcClient::h2c(addr, "grpc.test"))
        .await
        .expect_err("refused");

    assert!(
        matches!(error, GrpcConnectError::Connect { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn stopped_server_refuses_connections() {
    let server = h2c("g1").await;
    let addr = server.addr();
    server.stop().await;

    assert!(GrpcClient::h2c(addr, "grpc.test").await.is_err());
}
