//! `/echo` as a WebSocket.

use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;

use crate::support::Server;

#[tokio::test]
async fn websocket_echoes_text_and_binary_and_closes_cleanly() {
    let server = Server::start(Some("ws-1")).await;
    let url = format!("ws://{}/echo", server.addr);
    let (mut socket, response) = tokio_tungstenite::connect_async(url)
        .await
        .expect("handshake");
    assert_eq!(response.status(), 101);
    assert_eq!(response.headers()["x-whoami-name"], "ws-1");

    socket
        .send(Message::text("hello"))
        .await
        .expect("send text");
    assert_eq!(
        socket.next().await.expect("open").expect("frame"),
        Message::text("hello")
    );

    let binary = vec![0_u8, 1, 2, 254, 255];
    socket
        .send(Message::binary(binary.clone()))
        .await
        .expect("send binary");
    assert_eq!(
        socket.next().await.expect("open").expect("frame"),
        Message::binary(binary)
    );

    socket
        .send(Message::Ping(b"p".to_vec().into()))
        .await
        .expect("send ping");
    assert_eq!(
        socket.next().await.expect("open").expect("frame"),
        Message::Pong(b"p".to_vec().into())
    );

    // An upgraded connection does not hold up shutdown, and lives on until it closes.
    tokio::time::timeout(std::time::Duration::from_secs(5), server.stop())
        .await
        .expect("stops in time")
        .expect("clean stop");
    socket
        .send(Message::text("still here"))
        .await
        .expect("send");
    assert_eq!(
        socket.next().await.expect("open").expect("frame"),
        Message::text("still here")
    );

    socket.close(None).await.expect("close");
    let closing = socket.next().await;
    assert!(
        matches!(closing, Some(Ok(Message::Close(_))) | None),
        "{closing:?}"
    );
}

#[tokio::test]
async fn websocket_handles_many_messages_in_order() {
    let server = Server::start(None).await;
    let url = format!("ws://{}/echo", server.addr);
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("handshake");
    for n in 0..50 {
        socket
            .send(Message::text(format!("m{n}")))
            .await
            .expect("send");
    }
    for n in 0..50 {
        let message = socket.next().await.expect("open").expect("frame");
        assert_eq!(message, Message::text(format!("m{n}")));
    }
}
