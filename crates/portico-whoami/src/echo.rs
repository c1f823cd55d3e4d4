//! `/echo`: WebSocket echo, or the request body streamed back.

use axum::{
    body::Body,
    extract::{
        FromRequestParts, Request,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::{Method, header},
    response::{IntoResponse, Response},
};

/// Largest WebSocket message (and frame) the echo accepts: 16 MiB.
const MAX_MESSAGE: usize = 16 << 20;

/// `ANY /echo`: a `GET` (HTTP/1.1 upgrade) or `CONNECT` (HTTP/2 extended CONNECT) becomes a
/// WebSocket that echoes every text and binary message; any other method gets its request
/// body back, streamed as it arrives, with the request's `Content-Type`.
pub(crate) async fn echo(request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    if parts.method == Method::GET || parts.method == Method::CONNECT {
        return match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
            Ok(upgrade) => upgrade
                .max_message_size(MAX_MESSAGE)
                .max_frame_size(MAX_MESSAGE)
                .on_upgrade(echo_socket),
            Err(rejection) => rejection.into_response(),
        };
    }
    let mut response = Response::new(Body::new(body));
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    response
}

/// Sends every text and binary message back until the peer closes. Pings are answered and
/// the closing handshake completed by the WebSocket layer while reading.
async fn echo_socket(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        if matches!(message, Message::Text(_) | Message::Binary(_))
            && socket.send(message).await.is_err()
        {
            break;
        }
    }
}
